using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using MessagePack;
using Proxy.Actors.Protocols.MsgPack;

namespace Proxy.Actors.Protocols.CertGen;

/// <summary>
/// g3's certificate generator wire format: one msgpack map per UDP datagram, keys as numeric ids
/// (what g3 sends) or strings (also accepted). Request ids: host 1, service 2, cert 3, usage 4;
/// response ids: host 1, service 2, cert 3, key 4, ttl 5, usage 6. Decoding never throws: a bad
/// datagram is an error value.
/// </summary>
public static class CertGenCodec
{
    private static readonly string[] RequestKeys = ["", "host", "service", "cert", "usage"];
    private static readonly string[] ResponseKeys = ["", "host", "service", "cert", "key", "ttl", "usage"];

    /// <summary>As g3's agent: host, service, usage, then the mimic cert as DER binary when there is one.</summary>
    public static byte[] EncodeRequest(CertGenRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(320 + (request.MimicCertDer?.Length ?? 0));
        var w = new MessagePackWriter(buffer);
        w.WriteMapHeader(request.MimicCertDer is null ? 3 : 4);
        w.Write(1); w.Write(request.Host);
        w.Write(2); w.Write((byte)request.Service);
        w.Write(4); w.Write((byte)request.Usage);
        if (request.MimicCertDer is { } der) { w.Write(3); w.Write(der); }
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>As g3fcgen: host, service, usage, PEM chain string, DER key binary, ttl.</summary>
    public static byte[] EncodeResponse(CertGenResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var w = new MessagePackWriter(buffer);
        w.WriteMapHeader(6);
        w.Write(1); w.Write(response.Host);
        w.Write(2); w.Write((byte)response.Service);
        w.Write(6); w.Write((byte)response.Usage);
        w.Write(3); w.Write(response.CertChainPem);
        w.Write(4);
        if (response.KeyIsPem) w.Write(Encoding.UTF8.GetString(response.Key)); else w.Write(response.Key);
        w.Write(5); w.Write(response.Ttl);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static CertGenRequest? DecodeRequest(ReadOnlyMemory<byte> datagram, out string error)
    {
        error = "";
        try
        {
            var r = new MessagePackReader(datagram);
            string? host = null;
            var service = TlsServiceType.Http;
            var usage = TlsCertUsage.TlsServer;
            byte[]? cert = null;
            if (r.NextMessagePackType != MessagePackType.Map)
            {
                // g3 also takes a bare host string
                host = MsgPackText.Read(ref r);
            }
            else
            {
                var count = r.ReadMapHeader();
                for (var i = 0; i < count; i++)
                {
                    switch (MsgPackText.ReadKeyId(ref r, RequestKeys))
                    {
                        case 1: host = MsgPackText.Read(ref r); break;
                        case 2: service = ReadEnum<TlsServiceType>(ref r, ParseService); break;
                        case 3: cert = ReadCertDer(ref r); break;
                        case 4: usage = ReadEnum<TlsCertUsage>(ref r, ParseUsage); break;
                        case var k: throw new InvalidDataException($"invalid key {k}");
                    }
                }
            }
            if (string.IsNullOrEmpty(host)) throw new InvalidDataException("no host value set");
            return new CertGenRequest(host, service, usage, cert);
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidDataException or EndOfStreamException
                                      or FormatException or OverflowException or CryptographicException)
        {
            error = "invalid request: " + e.Message;
            return null;
        }
    }

    public static CertGenResponse? DecodeResponse(ReadOnlyMemory<byte> datagram, out string error)
    {
        error = "";
        try
        {
            var r = new MessagePackReader(datagram);
            if (r.NextMessagePackType != MessagePackType.Map) throw new InvalidDataException("the response data type should be 'map'");
            string host = "", chain = "";
            var service = TlsServiceType.Http;
            var usage = TlsCertUsage.TlsServer;
            byte[]? key = null;
            var keyIsPem = false;
            uint ttl = 0;
            var count = r.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                switch (MsgPackText.ReadKeyId(ref r, ResponseKeys))
                {
                    case 1: host = MsgPackText.Read(ref r); break;
                    case 2: service = ReadEnum<TlsServiceType>(ref r, ParseService); break;
                    case 3: chain = ReadChain(ref r); break;
                    case 4:
                        keyIsPem = r.NextMessagePackType == MessagePackType.String;
                        key = keyIsPem ? Encoding.UTF8.GetBytes(r.ReadString()!) : r.ReadBytes()?.ToArray();
                        break;
                    case 5: ttl = r.ReadUInt32(); break;
                    case 6: usage = ReadEnum<TlsCertUsage>(ref r, ParseUsage); break;
                    default: r.Skip(); break; // g3 ignores unknown response keys
                }
            }
            if (chain.Length == 0) throw new InvalidDataException("no cert chain set");
            if (key is null) throw new InvalidDataException("no private key set");
            return new CertGenResponse(host, service, usage, chain, key, keyIsPem, ttl);
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidDataException or EndOfStreamException
                                      or FormatException or OverflowException)
        {
            error = "invalid response: " + e.Message;
            return null;
        }
    }

    private delegate bool Parser<T>(string text, out T value);

    private static T ReadEnum<T>(ref MessagePackReader r, Parser<T> parse) where T : struct, Enum
    {
        if (r.NextMessagePackType == MessagePackType.Integer)
        {
            var n = r.ReadByte();
            return Enum.IsDefined(typeof(T), n) ? (T)Enum.ToObject(typeof(T), n) : throw new InvalidDataException($"invalid {typeof(T).Name} value {n}");
        }
        var text = MsgPackText.Read(ref r);
        return parse(text, out var v) ? v : throw new InvalidDataException($"invalid {typeof(T).Name} string {text}");
    }

    private static bool ParseService(string s, out TlsServiceType v)
    {
        v = s switch { "http" or "HTTP" => TlsServiceType.Http, "smtp" or "SMTP" => TlsServiceType.Smtp, "imap" or "IMAP" => TlsServiceType.Imap, _ => (TlsServiceType)255 };
        return Enum.IsDefined(v);
    }

    private static bool ParseUsage(string s, out TlsCertUsage v)
    {
        v = s.ToLowerInvariant() switch
        {
            "tls_server" or "tlsserver" => TlsCertUsage.TlsServer,
            "tls_server_tongsuo" or "tlsservertongsuo" => TlsCertUsage.TlsServerTongsuo,
            "tlcp_server_signature" or "tlcp_server_sign" or "tlcpserversignature" or "tlcpserversign" => TlsCertUsage.TlcpServerSignature,
            "tlcp_server_encryption" or "tlcp_server_enc" or "tlcpserverencryption" or "tlcpserverenc" => TlsCertUsage.TlcpServerEncryption,
            _ => (TlsCertUsage)255,
        };
        return Enum.IsDefined(v);
    }

    /// <summary>The mimic certificate: PEM text or DER binary, kept as DER.</summary>
    private static byte[] ReadCertDer(ref MessagePackReader r)
    {
        if (r.NextMessagePackType == MessagePackType.Binary) return r.ReadBytes()!.Value.ToArray();
        var pem = MsgPackText.Read(ref r);
        var field = PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[field.Base64Data]);
    }

    /// <summary>The chain: a PEM string or binary, or a list of them (concatenated, leaf first).</summary>
    private static string ReadChain(ref MessagePackReader r)
    {
        if (r.NextMessagePackType != MessagePackType.Array) return MsgPackText.Read(ref r);
        var n = r.ReadArrayHeader();
        var sb = new StringBuilder();
        for (var i = 0; i < n; i++) sb.Append(MsgPackText.Read(ref r)).Append('\n');
        return sb.ToString();
    }
}
