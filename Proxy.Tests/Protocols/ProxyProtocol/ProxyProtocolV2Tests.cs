using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.ProxyProtocol;

namespace Proxy.Tests.Protocols.ProxyProtocol;

public class ProxyProtocolV2Tests
{
    // g3's own encoder test vector (lib/g3-types/src/net/haproxy/v2.rs, t_tcp4_tlv): task id TLV "1234".
    private static readonly byte[] G3Tcp4WithTaskId = Convert.FromHexString(
        "0D0A0D0A000D0A515549540A" + "2111" + "0013" + "C0A80001" + "C0A8000B" + "DC04" + "01BB" + "E30004" + "31323334");

    private static readonly byte[] G3Tcp6 = Convert.FromHexString(
        "0D0A0D0A000D0A515549540A" + "2121" + "0024"
        + "20010DB8000000000000000000000001" + "20010DB8000000000000000000000011" + "DC04" + "01BB");

    private static ParseResult<ProxyHeader> Parse(byte[] bytes, int max = ProxyProtocolV2Parser.DefaultMaxDataLength) =>
        ProxyProtocolV2Parser.Parse(new ReadOnlySequence<byte>(bytes), max);

    [Fact]
    public void G3Vector_Tcp4WithTlv_Parsed()
    {
        var r = Parse([.. G3Tcp4WithTaskId, .. "trailing payload"u8.ToArray()]);
        Assert.Equal(ParseStatus.Done, r.Status);
        Assert.Equal(G3Tcp4WithTaskId.Length, r.Consumed);
        var h = r.Value!;
        Assert.Equal(2, h.Version);
        Assert.Equal(ProxyCommand.Proxy, h.Command);
        Assert.Equal(ProxyFamily.Inet, h.Family);
        Assert.Equal(ProxyTransport.Stream, h.Transport);
        Assert.Equal(IPEndPoint.Parse("192.168.0.1:56324"), h.Source);
        Assert.Equal(IPEndPoint.Parse("192.168.0.11:443"), h.Destination);
        var tlv = Assert.Single(h.Tlvs);
        Assert.Equal(0xE3, tlv.Type);
        Assert.Equal("1234"u8.ToArray(), tlv.Value);
    }

    [Fact]
    public void G3Vector_Tcp6_Parsed()
    {
        var h = Parse(G3Tcp6).Value!;
        Assert.Equal(IPEndPoint.Parse("[2001:db8::1]:56324"), h.Source);
        Assert.Equal(IPEndPoint.Parse("[2001:db8::11]:443"), h.Destination);
        Assert.Empty(h.Tlvs);
    }

    [Fact]
    public void Writer_MatchesG3Vectors()
    {
        var tlv = new ProxyTlv(G3ProxyTlvs.TaskId, "1234"u8.ToArray());
        Assert.Equal(G3Tcp4WithTaskId, ProxyProtocolV2Writer.Build(IPEndPoint.Parse("192.168.0.1:56324"), IPEndPoint.Parse("192.168.0.11:443"), [tlv]));
        Assert.Equal(G3Tcp6, ProxyProtocolV2Writer.Build(IPEndPoint.Parse("[2001:db8::1]:56324"), IPEndPoint.Parse("[2001:db8::11]:443")));
    }

    [Fact]
    public void OneByteAtATime_NeedMoreUntilTheLastByte()
    {
        var (prefixes, whole) = Segments.Drip(G3Tcp4WithTaskId, b => ProxyProtocolV2Parser.Parse(b));
        Assert.All(prefixes, p => Assert.Equal(ParseStatus.NeedMore, p.Status));
        Assert.Equal(ParseStatus.Done, whole.Status);
        Assert.Equal(G3Tcp4WithTaskId.Length, whole.Consumed);
        Assert.Equal("1234"u8.ToArray(), whole.Value!.Tlvs[0].Value);
    }

    [Fact]
    public void RoundTrip_ManyTlvs_InOrder()
    {
        var tlvs = new[]
        {
            new ProxyTlv(0x01, "h2"u8.ToArray()), new ProxyTlv(0x04, []), new ProxyTlv(0xE0, "example.net:443"u8.ToArray()),
            new ProxyTlv(0xEE, new byte[300]),
        };
        var bytes = ProxyProtocolV2Writer.Build(IPEndPoint.Parse("[::1]:1"), IPEndPoint.Parse("[::2]:65535"), tlvs);
        var h = ProxyProtocolParser.Parse(Segments.Split(bytes, 7), 1024).Value!;
        Assert.Equal([0x01, 0x04, 0xE0, 0xEE], h.Tlvs.Select(t => t.Type));
        Assert.Equal(tlvs.Select(t => t.Value.Length), h.Tlvs.Select(t => t.Value.Length));
        Assert.Equal("example.net:443"u8.ToArray(), h.Find(0xE0)!.Value);
        Assert.Equal(65535, ((IPEndPoint)h.Destination!).Port);
    }

    [Fact]
    public void Local_NoAddresses_TlvsKept()
    {
        var buffer = new ArrayBufferWriter<byte>();
        ProxyProtocolV2Writer.WriteLocal(buffer, [new ProxyTlv(0xE3, [1, 2])]);
        Assert.Equal(Convert.FromHexString("0D0A0D0A000D0A515549540A" + "2000" + "0005" + "E300020102"), buffer.WrittenSpan.ToArray());
        var h = Parse(buffer.WrittenSpan.ToArray()).Value!;
        Assert.Equal(ProxyCommand.Local, h.Command);
        Assert.Null(h.Source);
        Assert.Equal([1, 2], h.Tlvs[0].Value);
    }

    [Fact]
    public void Local_WithInetBlock_AddressesDiscarded()
    {
        var bytes = (byte[])G3Tcp6.Clone();
        bytes[12] = 0x20;
        var h = Parse(bytes).Value!;
        Assert.Equal(ProxyCommand.Local, h.Command);
        Assert.Null(h.Source);
        Assert.Null(h.Destination);
    }

    [Fact]
    public void Unix_PathsRead()
    {
        var data = new byte[216];
        "/run/client.sock"u8.CopyTo(data);
        "/run/server.sock"u8.CopyTo(data.AsSpan(108));
        byte[] bytes = [.. ProxyProtocolDetector.V2Signature, 0x21, 0x31, 0x00, 216, .. data];
        var h = Parse(bytes).Value!;
        Assert.Equal(ProxyFamily.Unix, h.Family);
        Assert.Equal("/run/client.sock", ((UnixDomainSocketEndPoint)h.Source!).ToString());
        Assert.Equal("/run/server.sock", h.Destination!.ToString());
    }

    [Fact]
    public void Unix_PathWithoutNul_Refused()
    {
        var data = new byte[216];
        data.AsSpan(0, 108).Fill((byte)'a');
        byte[] bytes = [.. ProxyProtocolDetector.V2Signature, 0x21, 0x31, 0x00, 216, .. data];
        Assert.Contains("NUL", Parse(bytes).Reason);
    }

    [Fact]
    public void MixedFamilies_WrittenAsInet6()
    {
        var bytes = ProxyProtocolV2Writer.Build(IPEndPoint.Parse("10.0.0.1:1"), IPEndPoint.Parse("[2001:db8::2]:2"));
        var h = Parse(bytes).Value!;
        Assert.Equal(ProxyFamily.Inet6, h.Family);
        Assert.Equal(IPAddress.Parse("::ffff:10.0.0.1"), ((IPEndPoint)h.Source!).Address);
    }

    [Fact]
    public void DeclaredLengthShorterThanFamilyBlock_Refused()
    {
        // TCP4 needs 12 bytes of addresses; a header claiming 8 lies (and the next 4 bytes would be payload).
        byte[] bytes = [.. ProxyProtocolDetector.V2Signature, 0x21, 0x11, 0x00, 0x08, .. new byte[20]];
        var r = Parse(bytes);
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains("shorter than the 12-byte", r.Reason);
        bytes[13] = 0x21;
        bytes[15] = 35;
        Assert.Contains("36-byte", Parse(bytes).Reason);
    }

    [Fact]
    public void DeclaredLengthOverTheBound_RefusedBeforeReadingIt()
    {
        // Only the fixed part has arrived: a 60000-byte claim is refused without waiting for it.
        byte[] bytes = [.. ProxyProtocolDetector.V2Signature, 0x21, 0x11, 0xEA, 0x60];
        var r = Parse(bytes);
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains("exceeds the bound 536", r.Reason);
        Assert.Equal(ParseStatus.NeedMore, Parse(bytes, 65535).Status);
    }

    [Theory]
    [InlineData(0x11, 0x11, "version 1")]
    [InlineData(0x31, 0x11, "version 3")]
    [InlineData(0x22, 0x11, "command 2")]
    [InlineData(0x21, 0x41, "address family 4")]
    [InlineData(0x21, 0x13, "transport 3")]
    public void BadFixedFields_Refused(byte verCmd, byte famProto, string reasonPart)
    {
        byte[] bytes = [.. ProxyProtocolDetector.V2Signature, verCmd, famProto, 0x00, 0x0C, .. new byte[12]];
        var r = Parse(bytes);
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains(reasonPart, r.Reason);
    }

    [Theory]
    [InlineData("E3", "stray")]
    [InlineData("E300", "stray")]
    [InlineData("E30005AABB", "declares 5 bytes, 2 remain")]
    public void LyingTlv_Refused(string tlvHex, string reasonPart)
    {
        var tlv = Convert.FromHexString(tlvHex);
        byte[] bytes = [.. ProxyProtocolDetector.V2Signature, 0x21, 0x11, 0x00, (byte)(12 + tlv.Length), .. new byte[12], .. tlv];
        var r = Parse(bytes);
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains(reasonPart, r.Reason);
    }

    [Fact]
    public void BadSignature_Refused() =>
        Assert.Contains("signature", Parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"u8.ToArray()).Reason);

    [Fact]
    public void EitherVersion_ThroughTheCombinedParser()
    {
        Assert.Equal(1, ProxyProtocolParser.Parse(new ReadOnlySequence<byte>(ProxyProtocolV1Writer.WriteUnknown())).Value!.Version);
        Assert.Equal(2, ProxyProtocolParser.Parse(new ReadOnlySequence<byte>(G3Tcp6)).Value!.Version);
        Assert.Equal(ParseStatus.NeedMore, ProxyProtocolParser.Parse(new ReadOnlySequence<byte>("PRO"u8.ToArray())).Status);
        Assert.Equal(ParseStatus.Invalid, ProxyProtocolParser.Parse(new ReadOnlySequence<byte>("GET /"u8.ToArray())).Status);
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var rng = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[rng.Next(0, 300)];
            rng.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length >= 16) ProxyProtocolDetector.V2Signature.CopyTo(bytes);
            if (i % 4 == 1 && bytes.Length >= 16) bytes[12] = 0x21;
            var r = ProxyProtocolParser.Parse(Segments.Split(bytes, 1 + i % 5), 1000);
            Assert.True(r.Status != ParseStatus.Done || r.Consumed <= bytes.Length);
        }
    }
}
