using System.Buffers;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.TlsHello;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Protocols.TlsHello;

/// <summary>ClientHellos from openssl s_client (another TLS stack than SslStream's defaults) over loopback.</summary>
[Collection(NodeCollection.Name)]
public class OpensslClientHelloTests
{
    [Fact]
    public async Task Tls13Hello_SniAlpnAndBothKeyTypes()
    {
        var bytes = await HelloBytes.FromOpensslAsync("-servername", "openssl.example.test", "-alpn", "h2,http/1.1");
        var r = ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(ParseStatus.Done, r.Status);
        Assert.Equal("openssl.example.test", r.Value!.ServerName);
        Assert.Equal(["h2", "http/1.1"], r.Value.Alpn);
        Assert.Equal(0x0304, r.Value.MaxVersion);
        Assert.True(r.Value.AcceptsEcdsa);
        Assert.True(r.Value.AcceptsRsa);
    }

    [Fact]
    public async Task Tls12RsaOnlyHello_NoEcdsa()
    {
        var bytes = await HelloBytes.FromOpensslAsync("-servername", "rsa.example.test", "-tls1_2", "-sigalgs", "RSA+SHA256:RSA+SHA384");
        var hello = ClientHelloParser.Parse(Segments.Split(bytes, 3)).Value!;
        Assert.Equal("rsa.example.test", hello.ServerName);
        Assert.Equal(0x0303, hello.MaxVersion);
        Assert.Equal([0x0401, 0x0501], hello.SignatureAlgorithms);
        Assert.True(hello.AcceptsRsa);
        Assert.False(hello.AcceptsEcdsa);
    }
}
