using System.Buffers;
using System.Net;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.ProxyProtocol;

namespace Proxy.Tests.Protocols.ProxyProtocol;

public class G3ProxyTlvsTests
{
    [Fact]
    public void DivertTlvs_TypesAndOrderAsG3()
    {
        var id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var tlvs = G3ProxyTlvs.ForDivert(new UpstreamAddr("2001:db8::5", 443), id, "www.example.net", "alice");
        Assert.Equal([0xE0, 0xE1, 0xE2, 0xE3], tlvs.Select(t => t.Type));
        Assert.Equal("[2001:db8::5]:443"u8.ToArray(), tlvs[0].Value);
        // UUID binary format as Rust's uuid crate lays it out: the text's hex digits in order.
        Assert.Equal(Convert.FromHexString("00112233445566778899AABBCCDDEEFF"), tlvs[3].Value);
    }

    [Fact]
    public void DivertTlvs_OptionalOnesLeftOut()
    {
        var tlvs = G3ProxyTlvs.ForDivert(new UpstreamAddr("example.net", 80), Guid.NewGuid());
        Assert.Equal([0xE0, 0xE3], tlvs.Select(t => t.Type));
    }

    [Fact]
    public void DivertHeader_ReadsBack()
    {
        var id = Guid.NewGuid();
        var bytes = ProxyProtocolV2Writer.Build(IPEndPoint.Parse("10.1.1.1:5000"), IPEndPoint.Parse("10.2.2.2:3128"),
            G3ProxyTlvs.ForDivert(new UpstreamAddr("example.net", 443), id, username: "bob"));
        var h = ProxyProtocolV2Parser.Parse(new ReadOnlySequence<byte>(bytes)).Value!;
        Assert.Equal(id, G3ProxyTlvs.ReadTaskId(h));
        Assert.Equal("example.net:443", G3ProxyTlvs.ReadText(h, G3ProxyTlvs.Upstream));
        Assert.Equal("bob", G3ProxyTlvs.ReadText(h, G3ProxyTlvs.Username));
        Assert.Null(G3ProxyTlvs.ReadText(h, G3ProxyTlvs.TlsName));
    }
}
