using Proxy.Actors.Protocols.Http1;

namespace Proxy.Tests.Protocols.Http1;

public sealed class BasicAuthTests
{
    [Theory]
    [InlineData("Basic cm9vdDp0b29y", "root", "toor")]
    [InlineData("basic   cm9vdDp0b29y  ", "root", "toor")]
    [InlineData("Basic dTpwOmFzcw==", "u", "p:ass")]     // split at the first ':'
    [InlineData("Basic OnB3", "", "pw")]
    public void Parses_SplittingAtTheFirstColon(string header, string user, string pass)
    {
        Assert.Equal(BasicAuthParse.Ok, BasicAuth.TryParse(header, out var c));
        Assert.Equal((user, pass), (c.Username, c.Password));
    }

    [Theory]
    [InlineData("Bearer abc", BasicAuthParse.NotBasic)]
    [InlineData("Basic", BasicAuthParse.NotBasic)]
    [InlineData("Basic !!!", BasicAuthParse.Invalid)]
    [InlineData("Basic bm9jb2xvbg==", BasicAuthParse.Invalid)]   // "nocolon"
    [InlineData("Basic //79Og==", BasicAuthParse.Invalid)]       // not UTF-8
    public void Refuses_WhatIsNotBasicOrMalformed(string header, BasicAuthParse expected) =>
        Assert.Equal(expected, BasicAuth.TryParse(header, out _));

    [Fact]
    public void RoundTrips_Utf8_AndLimitsEachPartTo255Bytes()
    {
        Assert.Equal(BasicAuthParse.Ok, BasicAuth.TryParse(BasicAuth.Encode("jürgen", "pässwörd"), out var c));
        Assert.Equal(("jürgen", "pässwörd"), (c.Username, c.Password));
        Assert.Equal(BasicAuthParse.Invalid, BasicAuth.TryParse(BasicAuth.Encode(new string('a', 256), "x"), out _));
        Assert.Equal(BasicAuthParse.Invalid, BasicAuth.TryParse(BasicAuth.Encode("a", new string('x', 256)), out _));
    }

    [Fact]
    public void Challenge_QuotesTheRealm() =>
        Assert.Equal("Basic realm=\"my \\\"proxy\\\"\"", BasicAuth.Challenge("my \"proxy\""));

    [Fact]
    public void TryDecode_GivesTheBytesAndWhereTheColonIs_WithoutCheckingUtf8()
    {
        Span<byte> raw = stackalloc byte[BasicAuth.MaxDecodedBytes];
        Assert.Equal(BasicAuthParse.Ok, BasicAuth.TryDecode(BasicAuth.Encode("u1", "to:or"), raw, out var length, out var colon));
        Assert.Equal("u1", System.Text.Encoding.UTF8.GetString(raw[..colon]));
        Assert.Equal("to:or", System.Text.Encoding.UTF8.GetString(raw[(colon + 1)..length]));
        Assert.Equal(BasicAuthParse.Ok, BasicAuth.TryDecode("Basic //79Og==", raw, out _, out _)); // not UTF-8: the caller's to check
        Assert.Equal(BasicAuthParse.Invalid, BasicAuth.TryDecode("Basic " + Convert.ToBase64String(new byte[600]), raw, out _, out _));
    }
}
