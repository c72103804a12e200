using System.Buffers;
using System.Text;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Protocols.Icap;

namespace Proxy.Tests.Protocols.Icap;

public sealed class IcapCodecTests
{
    private static ReadOnlySequence<byte> Bytes(string s) => new(Encoding.ASCII.GetBytes(s));

    [Theory]
    [InlineData("null-body=0", 0, 0, false)]
    [InlineData("req-hdr=0, null-body=40", 40, 0, false)]
    [InlineData("req-hdr=0, req-body=40", 40, 0, true)]
    [InlineData("res-hdr=0, res-body=55", 0, 55, true)]
    [InlineData("req-hdr=0, res-hdr=40, res-body=95", 40, 55, true)]
    [InlineData("REQ-HDR=0,  NULL-BODY=7", 7, 0, false)]
    public void Encapsulated_GivesTheHeadLengthsAndTheBody(string value, int req, int res, bool body)
    {
        Assert.Equal(new Encapsulated(req, res, body), Encapsulated.Parse(value));
    }

    [Theory]
    [InlineData("req-hdr=5, null-body=40")]   // does not start at 0
    [InlineData("req-hdr=0, res-hdr=40, res-body=10")] // offsets go back
    [InlineData("req-hdr=0, foo-body=3")]
    [InlineData("req-hdr=0, req-body=x")]
    [InlineData("req-body=0, req-hdr=4")]     // the body is not last
    [InlineData("")]
    public void Encapsulated_Malformed_IsRefused(string value)
    {
        Assert.Null(Encapsulated.Parse(value));
    }

    [Fact]
    public void IcapHead_IsParsed_WithKeepAliveFromConnection()
    {
        const string head = "ICAP/1.0 200 OK\r\nISTag: \"x\"\r\nConnection: close\r\nEncapsulated: res-hdr=0, res-body=20\r\n\r\nHTTP/1.1";
        Assert.Equal(HeadParseStatus.Done, IcapHeadParser.TryParse(Bytes(head), 8192, out var rsp, out _));
        Assert.Equal(200, rsp!.Status);
        Assert.False(rsp.KeepAlive);
        Assert.Equal(head.IndexOf("HTTP/1.1", StringComparison.Ordinal), rsp.WireLength);
    }

    [Fact]
    public void IcapHead_Incomplete_Http_AndTooLarge()
    {
        Assert.Equal(HeadParseStatus.Incomplete, IcapHeadParser.TryParse(Bytes("ICAP/1.0 204 No Content\r\nISTag: x\r\n"), 8192, out _, out _));
        Assert.Equal(HeadParseStatus.Invalid, IcapHeadParser.TryParse(Bytes("HTTP/1.1 200 OK\r\n\r\n"), 8192, out _, out _));
        var big = "ICAP/1.0 200 OK\r\nX: " + new string('a', 200) + "\r\n";
        Assert.Equal(HeadParseStatus.TooLarge, IcapHeadParser.TryParse(Bytes(big), 64, out _, out _));
    }

    [Fact]
    public void Options_PreviewAllowTtl_AndTheMethodMustBeOffered()
    {
        IcapHeadParser.TryParse(Bytes("ICAP/1.0 200 OK\r\nMethods: RESPMOD, REQMOD\r\nISTag: \"CI0001\"\r\nPreview: 1024\r\nAllow: 204\r\nOptions-TTL: 3600\r\n\r\n"), 8192, out var head, out _);
        var options = IcapOptions.FromHead(head!, "REQMOD", out var error);
        Assert.Null(error);
        Assert.Equal(new IcapOptions("\"CI0001\"", 1024, true, TimeSpan.FromHours(1), null, null), options);

        IcapHeadParser.TryParse(Bytes("ICAP/1.0 200 OK\r\nMethods: RESPMOD\r\nISTag: t\r\n\r\n"), 8192, out head, out _);
        Assert.Null(IcapOptions.FromHead(head!, "REQMOD", out error));
        Assert.Contains("does not offer REQMOD", error);

        IcapHeadParser.TryParse(Bytes("ICAP/1.0 200 OK\r\nMethods: REQMOD\r\n\r\n"), 8192, out head, out _);
        Assert.Null(IcapOptions.FromHead(head!, "REQMOD", out error));
        Assert.Contains("ISTag", error);
    }

    [Fact]
    public void RequestHead_CarriesHostAuthAndTheClient()
    {
        var head = new IcapRequestHead("REQMOD", new Uri("icap://icap.example:1344/reqmod"), "dTpw")
            .Client(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("10.0.0.7"), 4321), "alice")
            .Field("Encapsulated", "req-hdr=0, null-body=20")
            .Build();
        var text = Encoding.ASCII.GetString(head);
        Assert.StartsWith("REQMOD icap://icap.example:1344/reqmod ICAP/1.0\r\nHost: icap.example:1344\r\nAuthorization: Basic dTpw\r\n", text);
        Assert.Contains("X-Client-IP: 10.0.0.7\r\nX-Client-Port: 4321\r\nX-Client-Username: alice\r\n", text);
        Assert.Contains("X-Authenticated-User: " + Convert.ToBase64String(Encoding.UTF8.GetBytes("Local://alice")), text);
        Assert.EndsWith("Encapsulated: req-hdr=0, null-body=20\r\n\r\n", text);
    }
}
