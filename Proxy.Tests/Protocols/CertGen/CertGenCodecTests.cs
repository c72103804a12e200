using System.Buffers;
using System.Text;
using MessagePack;
using Proxy.Actors.Protocols.CertGen;

namespace Proxy.Tests.Protocols.CertGen;

/// <summary>The g3fcgen datagrams byte for byte: numeric keys as g3 sends them, string keys as g3 also reads them.</summary>
public sealed class CertGenCodecTests
{
    [Fact]
    public void Request_IsTheMapG3SendsWithNumericKeys()
    {
        var bytes = CertGenCodec.EncodeRequest(new CertGenRequest("a.com", TlsServiceType.Smtp, TlsCertUsage.TlsServer, null));

        // fixmap(3) {1: "a.com", 2: 1, 4: 0}
        Assert.Equal(new byte[] { 0x83, 0x01, 0xa5, (byte)'a', (byte)'.', (byte)'c', (byte)'o', (byte)'m', 0x02, 0x01, 0x04, 0x00 }, bytes);
    }

    [Fact]
    public void Request_WithMimicCert_CarriesItAsBinaryUnderKey3()
    {
        var bytes = CertGenCodec.EncodeRequest(new CertGenRequest("h", TlsServiceType.Http, TlsCertUsage.TlsServer, [1, 2, 3]));

        Assert.Equal(new byte[] { 0x84, 0x01, 0xa1, (byte)'h', 0x02, 0x00, 0x04, 0x00, 0x03, 0xc4, 0x03, 1, 2, 3 }, bytes);
        var back = CertGenCodec.DecodeRequest(bytes, out _)!;
        Assert.Equal([1, 2, 3], back.MimicCertDer);
    }

    private delegate void Write(ref MessagePackWriter w);

    private static byte[] Pack(Write write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        write(ref w);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void Request_WithStringKeysAndNames_IsRead()
    {
        var bytes = Pack((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(3);
            w.Write("Host"); w.Write("mail.example.com");
            w.Write("service"); w.Write("IMAP");
            w.Write("usage"); w.Write("tlcp_server_sign");
        });

        var r = CertGenCodec.DecodeRequest(bytes, out var error);

        Assert.NotNull(r);
        Assert.Equal("", error);
        Assert.Equal(new CertCacheKey(TlsServiceType.Imap, TlsCertUsage.TlcpServerSignature, "mail.example.com"), r.Key);
    }

    [Fact]
    public void Request_AsABareHostString_IsRead()
    {
        var r = CertGenCodec.DecodeRequest(Pack((ref MessagePackWriter w) => w.Write("bare.example.com")), out _);

        Assert.Equal("bare.example.com", r!.Host);
        Assert.Equal(TlsServiceType.Http, r.Service);
    }

    [Theory]
    [InlineData(new byte[] { 0x81, 0x02, 0x00 })]             // no host
    [InlineData(new byte[] { 0x81, 0x09, 0x00 })]             // unknown key id
    [InlineData(new byte[] { 0x82, 0x01, 0xa1, 0x68, 0x02, 0x07 })] // service 7
    [InlineData(new byte[] { 0x83, 0x01 })]                   // truncated
    [InlineData(new byte[] { 0xc1 })]                         // never-used byte
    public void BadRequest_IsAnErrorValue(byte[] datagram)
    {
        var r = CertGenCodec.DecodeRequest(datagram, out var error);

        Assert.Null(r);
        Assert.StartsWith("invalid request: ", error);
    }

    [Fact]
    public void Response_IsTheMapG3fcgenSends_AndReadsBack()
    {
        var response = new CertGenResponse("x.org", TlsServiceType.Http, TlsCertUsage.TlsServer, "-----BEGIN CERTIFICATE-----\n", [0x30, 0x01], false, 86400);

        var bytes = CertGenCodec.EncodeResponse(response);

        // fixmap(6): 1 host, 2 service, 6 usage, 3 cert (str), 4 key (bin), 5 ttl (u32)
        Assert.Equal(0x86, bytes[0]);
        Assert.Equal(new byte[] { 0x01, 0xa5 }, bytes[1..3]);
        Assert.Equal(new byte[] { 0x05, 0xce, 0x00, 0x01, 0x51, 0x80 }, bytes[^6..]);
        var back = CertGenCodec.DecodeResponse(bytes, out _)!;
        Assert.Equal(response.Host, back.Host);
        Assert.Equal(response.Key, back.Key);
        Assert.Equal(86400u, back.Ttl);
    }

    [Fact]
    public void Response_WithStringKeys_ChainList_PemKey_AndUnknownKeys_IsRead()
    {
        var bytes = Pack((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(5);
            w.Write("host"); w.Write("y.org");
            w.Write("cert"); w.WriteArrayHeader(2); w.Write("LEAF"); w.Write(Encoding.ASCII.GetBytes("CA"));
            w.Write("key"); w.Write("-----BEGIN PRIVATE KEY-----");
            w.Write("x-extra"); w.Write(42);
            w.Write(99); w.WriteNil();
        });

        var r = CertGenCodec.DecodeResponse(bytes, out var error);

        Assert.NotNull(r);
        Assert.Equal("LEAF\nCA\n", r.CertChainPem);
        Assert.True(r.KeyIsPem);
        Assert.Equal(0u, r.Ttl); // absent: the agent uses its protective TTL
    }

    [Fact]
    public void Response_WithoutKeyOrCert_IsAnErrorValue()
    {
        var noKey = Pack((ref MessagePackWriter w) => { w.WriteMapHeader(2); w.Write(1); w.Write("h"); w.Write(3); w.Write("PEM"); });
        var notMap = Pack((ref MessagePackWriter w) => w.Write("h"));

        Assert.Null(CertGenCodec.DecodeResponse(noKey, out var e1));
        Assert.Contains("no private key", e1);
        Assert.Null(CertGenCodec.DecodeResponse(notMap, out var e2));
        Assert.Contains("map", e2);
    }
}
