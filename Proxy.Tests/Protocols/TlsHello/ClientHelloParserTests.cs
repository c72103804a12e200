using System.Buffers;
using System.Text;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.TlsHello;

namespace Proxy.Tests.Protocols.TlsHello;

public class ClientHelloParserTests
{
    private static ParseResult<ClientHello> Parse(byte[] bytes, int max = ClientHelloParser.DefaultMaxSize) =>
        ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes), max);

    private static ParseResult<ClientHello> ParseMessage(byte[] message) => Parse(HelloBytes.Records(message));

    [Fact]
    public async Task SslStreamHello_SniAlpnAndSignatureSchemes()
    {
        var bytes = await HelloBytes.FromSslStreamAsync("www.example.test", "h2", "http/1.1");
        var r = Parse([.. bytes, 0x17, 0x03]);
        Assert.Equal(ParseStatus.Done, r.Status);
        Assert.Equal(bytes.Length, r.Consumed);
        var hello = r.Value!;
        Assert.Equal("www.example.test", hello.ServerName);
        Assert.Equal(["h2", "http/1.1"], hello.Alpn);
        Assert.True(hello.AcceptsEcdsa);
        Assert.True(hello.AcceptsRsa);
        Assert.Contains(SignatureSchemes.RsaPssRsaeSha256, hello.SignatureAlgorithms);
        Assert.Equal(0x0303, hello.LegacyVersion);
        Assert.True(hello.MaxVersion >= 0x0303);
        Assert.True(hello.CipherSuiteCount > 0);
        Assert.Contains((ushort)0, hello.ExtensionTypes);
    }

    [Fact]
    public async Task SslStreamHello_IpTarget_HasNoSni()
    {
        var hello = Parse(await HelloBytes.FromSslStreamAsync("127.0.0.1")).Value!;
        Assert.Null(hello.ServerName);
        Assert.Empty(hello.Alpn);
    }

    [Fact]
    public async Task SslStreamHello_OneByteAtATime()
    {
        var bytes = await HelloBytes.FromSslStreamAsync("drip.example.test", "h2");
        var (prefixes, whole) = Segments.Drip(bytes, b => ClientHelloParser.Parse(b));
        Assert.All(prefixes, p => Assert.Equal(ParseStatus.NeedMore, p.Status));
        Assert.Equal("drip.example.test", whole.Value!.ServerName);
    }

    [Fact]
    public async Task HelloSpanningManySmallRecords_Reassembled()
    {
        var original = await HelloBytes.FromSslStreamAsync("frag.example.test", "http/1.1");
        var records = HelloBytes.Records(HelloBytes.Unframe(original), recordSize: 7);
        Assert.True(records.Length > original.Length + 5 * 30);
        var (prefixes, whole) = Segments.Drip(records, b => ClientHelloParser.Parse(b));
        Assert.All(prefixes, p => Assert.Equal(ParseStatus.NeedMore, p.Status));
        Assert.Equal(records.Length, whole.Consumed);
        Assert.Equal("frag.example.test", whole.Value!.ServerName);
        Assert.Equal(["http/1.1"], whole.Value.Alpn);
        Assert.Equal(Parse(original).Value!.SignatureAlgorithms, whole.Value.SignatureAlgorithms);
    }

    [Fact]
    public void TooManyRecords_Invalid_ButTheCapItselfFine()
    {
        var message = HelloBytes.Message([HelloBytes.Sni("many.example"), (0xFF01, new byte[300])]);
        Assert.True(message.Length > TlsRecordReader.MaxRecords);
        var perRecord = (message.Length + TlsRecordReader.MaxRecords - 1) / TlsRecordReader.MaxRecords;
        Assert.Equal("many.example", Parse(HelloBytes.Records(message, perRecord)).Value!.ServerName);
        var r = Parse(HelloBytes.Records(message, 1));
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains("more than 256 records", r.Reason);
    }

    [Fact]
    public async Task Truncated_NeedMore()
    {
        var bytes = await HelloBytes.FromSslStreamAsync("www.example.test");
        foreach (var n in new[] { 0, 1, 5, 9, bytes.Length / 2, bytes.Length - 1 })
            Assert.Equal(ParseStatus.NeedMore, Parse(bytes[..n]).Status);
    }

    [Fact]
    public async Task OverTheBound_TooLarge_AsSoonAsTheHeaderSaysSo()
    {
        var bytes = await HelloBytes.FromSslStreamAsync("www.example.test");
        var r = Parse(bytes, max: 100);
        Assert.Equal(ParseStatus.TooLarge, r.Status);
        Assert.Contains("exceeds the bound 100", r.Reason);
        // Only record header + handshake header of a 70000-byte claim have arrived.
        var claim = Parse([22, 3, 1, 0x40, 0x00, 1, 0x01, 0x11, 0x70]);
        Assert.Equal(ParseStatus.TooLarge, claim.Status);
        // The bound is the message size: a hello of exactly the bound is fine.
        var exact = HelloBytes.Unframe(bytes).Length;
        Assert.Equal(ParseStatus.Done, Parse(bytes, max: exact).Status);
        Assert.Equal(ParseStatus.TooLarge, Parse(bytes, max: exact - 1).Status);
    }

    [Fact]
    public void Sni300Bytes_Invalid()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 59), 5));
        Assert.Equal(299, name.Length);
        var r = ParseMessage(HelloBytes.Message([HelloBytes.Sni(name)]));
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains("exceeds 253", r.Reason);
    }

    [Theory]
    [InlineData("example.com.", "trailing dot")]
    [InlineData("a..b", "empty label")]
    [InlineData("192.168.0.1", "IP literal")]
    [InlineData("-a.example", "'-'")]
    [InlineData("a b.example", "character 0x20")]
    [InlineData("caf\u00e9.example", "character 0xC3")]
    public void BadServerNames_Invalid(string name, string reasonPart)
    {
        var r = ParseMessage(HelloBytes.Message([HelloBytes.Sni(Encoding.UTF8.GetBytes(name))]));
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains(reasonPart, r.Reason);
    }

    [Fact]
    public void LabelOf64_Invalid_63Fine()
    {
        Assert.Contains("63", ParseMessage(HelloBytes.Message([HelloBytes.Sni(new string('x', 64) + ".example")])).Reason);
        Assert.Equal(ParseStatus.Done, ParseMessage(HelloBytes.Message([HelloBytes.Sni(new string('x', 63) + ".example")])).Status);
    }

    [Fact]
    public void UnderscoreAndDigitsInLabels_Accepted() =>
        Assert.Equal("_srv.cdn-01.example9", ParseMessage(HelloBytes.Message([HelloBytes.Sni("_srv.cdn-01.example9")])).Value!.ServerName);

    [Fact]
    public void Synthetic_AllFieldsRead()
    {
        var message = HelloBytes.Message(
        [
            (0x0A0A, []), HelloBytes.Sni("api.example.org"), HelloBytes.Alpn("h2", "http/1.1"),
            HelloBytes.SignatureAlgorithms(SignatureSchemes.RsaPkcs1Sha256, 0x0806),
            HelloBytes.SupportedVersions(0x3A3A, 0x0304, 0x0303),
        ], cipherSuites: 5);
        var h = ParseMessage(message).Value!;
        Assert.Equal("api.example.org", h.ServerName);
        Assert.Equal(["h2", "http/1.1"], h.Alpn);
        Assert.Equal([0x3A3A, 0x0304, 0x0303], h.SupportedVersions);
        Assert.Equal(0x0304, h.MaxVersion);
        Assert.Equal(5, h.CipherSuiteCount);
        Assert.True(h.AcceptsRsa);
        Assert.False(h.AcceptsEcdsa);
        Assert.Equal([0x0A0A, 0, 16, 13, 43], h.ExtensionTypes);
    }

    [Fact]
    public void OnlyEcdsaAndEd25519_NotRsa()
    {
        var h = ParseMessage(HelloBytes.Message([HelloBytes.SignatureAlgorithms(SignatureSchemes.EcdsaSecp256r1Sha256, SignatureSchemes.Ed25519)])).Value!;
        Assert.True(h.AcceptsEcdsa);
        Assert.False(h.AcceptsRsa);
    }

    [Fact]
    public void OldHelloWithoutExtensions_Done_RsaAssumed()
    {
        var h = ParseMessage(HelloBytes.Message(null, legacyVersion: 0x0301)).Value!;
        Assert.Null(h.ServerName);
        Assert.Equal(0x0301, h.MaxVersion);
        Assert.True(h.AcceptsRsa);
        Assert.Empty(h.ExtensionTypes);
    }

    [Theory]
    [InlineData(new byte[] { 23, 3, 3, 0, 5, 1, 0, 0, 1, 0 }, "content type 23")]
    [InlineData(new byte[] { 22, 2, 0 }, "version 2.0")]
    [InlineData(new byte[] { 22, 3, 5 }, "version 3.5")]
    [InlineData(new byte[] { 22, 3, 1, 0, 0 }, "empty handshake record")]
    [InlineData(new byte[] { 22, 3, 1, 0x40, 0x01 }, "exceeds 2^14")]
    [InlineData(new byte[] { 22, 3, 1, 0, 4, 2, 0, 0, 0 }, "message type 2")]
    [InlineData(new byte[] { 22, 3, 1, 0, 4, 1, 0, 0, 0 }, "truncated before the random")]
    public void BadRecords_Invalid(byte[] bytes, string reasonPart)
    {
        var r = Parse(bytes);
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains(reasonPart, r.Reason);
    }

    [Fact]
    public void SecondRecordOfAnotherType_Invalid()
    {
        var records = HelloBytes.Records(HelloBytes.Message([HelloBytes.Sni("a.example")]), recordSize: 20);
        records[25] = 21;
        Assert.Contains("content type 21", Parse(records).Reason);
    }

    [Theory]
    [InlineData("duplicate", "appears twice")]
    [InlineData("two-host-names", "two host_name")]
    [InlineData("empty-alpn-name", "ALPN protocol name")]
    [InlineData("odd-sigalgs", "signature_algorithms")]
    [InlineData("short-extension", "truncated extension")]
    [InlineData("trailing-bytes", "does not fill")]
    [InlineData("no-cipher-suites", "cipher suite")]
    public void BadExtensions_Invalid(string which, string reasonPart)
    {
        byte[] twoNames = [0, 23, 0, 0, 9, .. "a.example"u8, 0, 0, 8, .. "b.exampl"u8];
        var message = which switch
        {
            "duplicate" => HelloBytes.Message([HelloBytes.Alpn("h2"), HelloBytes.Alpn("h2")]),
            "two-host-names" => HelloBytes.Message([(0, twoNames)]),
            "empty-alpn-name" => HelloBytes.Message([(16, [0, 1, 0])]),
            "odd-sigalgs" => HelloBytes.Message([(13, [0, 3, 4, 3, 5])]),
            "short-extension" => ShortExtension(),
            "trailing-bytes" => TrailingByte(),
            _ => HelloBytes.Message([HelloBytes.Alpn("h2")], cipherSuites: 0),
        };
        var r = ParseMessage(message);
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains(reasonPart, r.Reason);
    }

    /// <summary>The last extension's header declares 9 bytes of data but the extensions block ends after 2.</summary>
    private static byte[] ShortExtension()
    {
        var message = HelloBytes.Message([(13, [0, 2])]);
        message[^3] = 9;
        return message;
    }

    /// <summary>A byte after the extensions block that the handshake length still counts.</summary>
    private static byte[] TrailingByte()
    {
        byte[] message = [.. HelloBytes.Message([HelloBytes.Alpn("h2")]), 0xFF];
        var length = message.Length - 4;
        message[1] = (byte)(length >> 16);
        message[2] = (byte)(length >> 8);
        message[3] = (byte)length;
        return message;
    }

    [Fact]
    public async Task RandomAndMutatedBytes_NeverThrow()
    {
        var real = await HelloBytes.FromSslStreamAsync("fuzz.example.test", "h2");
        var rng = new Random(7);
        var seen = new HashSet<ParseStatus>();
        for (var i = 0; i < 5000; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = new byte[rng.Next(0, 600)];
                rng.NextBytes(bytes);
                if (bytes.Length > 5 && i % 4 == 0) { bytes[0] = 22; bytes[1] = 3; bytes[2] = 1; bytes[5] = 1; }
            }
            else
            {
                bytes = (byte[])real.Clone();
                for (var k = 0; k < 1 + i % 4; k++) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
            }
            var r = ClientHelloParser.Parse(Segments.Split(bytes, 1 + i % 50), 4096);
            seen.Add(r.Status);
            Assert.True(r.Status != ParseStatus.Done || r.Consumed <= bytes.Length);
        }
        Assert.Contains(ParseStatus.Invalid, seen);
        Assert.Contains(ParseStatus.Done, seen);
    }
}
