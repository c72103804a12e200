using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Proxy.Actors.Protocols.TlsHello;

/// <summary>Parses a TLS ClientHello (RFC 8446 4.1.2, also TLS 1.0-1.2) from the first bytes of a connection.</summary>
/// <remarks>Every length is checked against what encloses it; a malformed hello is Invalid, never an exception.
/// maxSize bounds the handshake message (g3 sni_proxy's tls_max_client_hello_size, default 1 &lt;&lt; 16).</remarks>
internal static class ClientHelloParser
{
    public const byte ClientHelloType = 1;
    public const int DefaultMaxSize = 1 << 16;

    private const ushort ServerNameExt = 0;
    private const ushort SignatureAlgorithmsExt = 13;
    private const ushort AlpnExt = 16;
    private const ushort SupportedVersionsExt = 43;

    /// <summary>Done when the records carrying the whole ClientHello are in; Consumed ends with the last of them.</summary>
    public static ParseResult<ClientHello> Parse(in ReadOnlySequence<byte> buffer, int maxSize = DefaultMaxSize)
    {
        var message = TlsRecordReader.ReadFirstMessage(buffer, maxSize, ClientHelloType);
        if (!message.IsDone) return message.Cast<ClientHello>();
        var hello = ParseBody(message.Value.AsSpan(4), out var reason);
        return hello is null
            ? ParseResult<ClientHello>.Invalid("ClientHello: " + reason)
            : ParseResult<ClientHello>.Done(hello, message.Consumed);
    }

    private static ClientHello? ParseBody(ReadOnlySpan<byte> body, out string? reason)
    {
        reason = null;
        var r = new SpanCursor(body);
        if (!r.U16(out var legacyVersion) || !r.Skip(32)) return Bad("truncated before the random", out reason);
        if (!r.Vector8(out var sessionId) || sessionId.Length > 32) return Bad("bad session id", out reason);
        if (!r.Vector16(out var suites) || suites.Length < 2 || suites.Length % 2 != 0) return Bad("bad cipher suite list", out reason);
        if (!r.Vector8(out var compression) || compression.IsEmpty) return Bad("bad compression method list", out reason);

        var hello = new Builder { LegacyVersion = legacyVersion, CipherSuiteCount = suites.Length / 2 };
        if (r.Remaining == 0) return hello.Build(); // TLS 1.0-era hellos may carry no extensions at all
        if (!r.Vector16(out var extensions) || r.Remaining != 0) return Bad("extensions block does not fill the message", out reason);
        var e = new SpanCursor(extensions);
        var seen = new HashSet<ushort>();
        while (e.Remaining > 0)
        {
            if (!e.U16(out var type) || !e.Vector16(out var data)) return Bad("truncated extension", out reason);
            if (!seen.Add(type)) return Bad($"extension {type} appears twice", out reason);
            hello.ExtensionTypes.Add(type);
            var error = type switch
            {
                ServerNameExt => ReadServerName(data, hello),
                AlpnExt => ReadAlpn(data, hello.Alpn),
                SupportedVersionsExt => ReadU16List(data, lengthBytes: 1, hello.SupportedVersions, "supported_versions"),
                SignatureAlgorithmsExt => ReadU16List(data, lengthBytes: 2, hello.SignatureAlgorithms, "signature_algorithms"),
                _ => null,
            };
            if (error is not null) return Bad(error, out reason);
        }
        return hello.Build();
    }

    /// <summary>RFC 6066 3: a list of (type, name); only host_name (0) is defined, and at most one of it.</summary>
    private static string? ReadServerName(ReadOnlySpan<byte> data, Builder hello)
    {
        var r = new SpanCursor(data);
        if (!r.Vector16(out var list) || r.Remaining != 0 || list.IsEmpty) return "bad server_name list";
        var l = new SpanCursor(list);
        while (l.Remaining > 0)
        {
            if (!l.U8(out var nameType) || !l.Vector16(out var name)) return "truncated server_name entry";
            if (nameType != 0) continue;
            if (hello.ServerName is not null) return "two host_name entries in server_name";
            if (ServerNameCheck.Check(name) is { } bad) return bad;
            hello.ServerName = Encoding.ASCII.GetString(name);
        }
        return null;
    }

    /// <summary>RFC 7301 3.1: a non-empty list of non-empty protocol names.</summary>
    private static string? ReadAlpn(ReadOnlySpan<byte> data, List<string> alpn)
    {
        var r = new SpanCursor(data);
        if (!r.Vector16(out var list) || r.Remaining != 0 || list.IsEmpty) return "bad ALPN list";
        var l = new SpanCursor(list);
        while (l.Remaining > 0)
        {
            if (!l.Vector8(out var name) || name.IsEmpty) return "bad ALPN protocol name";
            alpn.Add(Encoding.Latin1.GetString(name));
        }
        return null;
    }

    private static string? ReadU16List(ReadOnlySpan<byte> data, int lengthBytes, List<ushort> into, string what)
    {
        var r = new SpanCursor(data);
        ReadOnlySpan<byte> list;
        var ok = lengthBytes == 1 ? r.Vector8(out list) : r.Vector16(out list);
        if (!ok || r.Remaining != 0 || list.IsEmpty || list.Length % 2 != 0) return $"bad {what} list";
        for (var i = 0; i < list.Length; i += 2) into.Add(BinaryPrimitives.ReadUInt16BigEndian(list[i..]));
        return null;
    }

    private static ClientHello? Bad(string why, out string? reason)
    {
        reason = why;
        return null;
    }

    private sealed class Builder
    {
        public ushort LegacyVersion;
        public int CipherSuiteCount;
        public string? ServerName;
        public readonly List<ushort> SupportedVersions = [];
        public readonly List<string> Alpn = [];
        public readonly List<ushort> SignatureAlgorithms = [];
        public readonly List<ushort> ExtensionTypes = [];

        public ClientHello Build() =>
            new(LegacyVersion, SupportedVersions, ServerName, Alpn, SignatureAlgorithms, CipherSuiteCount, ExtensionTypes);
    }
}
