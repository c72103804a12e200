using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Tests.Config;

public sealed class ValueParserTests
{
    internal static YamlNode YamlOf(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents[0].RootNode;
    }

    [Theory]
    [InlineData("200ms", 200)]
    [InlineData("60s", 60_000)]
    [InlineData("5min", 300_000)]
    [InlineData("1h 30m 71s", 5_471_000)]
    [InlineData("1h2m", 3_720_000)]
    [InlineData("10h", 36_000_000)]
    [InlineData("1000", 1_000_000)]
    [InlineData("2d", 172_800_000)]
    public void HumanDuration_ParsesG3Strings(string text, long millis) =>
        Assert.Equal(TimeSpan.FromMilliseconds(millis), HumanDuration.Parse(text));

    [Theory]
    [InlineData("1000Ah")]
    [InlineData("-5s")]
    [InlineData("")]
    [InlineData("s")]
    public void HumanDuration_RefusesGarbage(string text) => Assert.False(HumanDuration.TryParse(text, out _));

    [Fact]
    public void HumanDuration_YamlNumbersAreSeconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), HumanDuration.FromYaml(YamlOf("30")));
        Assert.Equal(TimeSpan.FromSeconds(1.5), HumanDuration.FromYaml(YamlOf("1.5")));
    }

    [Theory]
    [InlineData("1000", 1000)]
    [InlineData("1K", 1000)]
    [InlineData("1KB", 1000)]
    [InlineData("1KiB", 1024)]
    [InlineData("64KiB", 65536)]
    [InlineData("512K", 512_000)]
    [InlineData("10M", 10_000_000)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("1 MiB", 1L << 20)]
    public void HumanSize_SiIsDecimal_IecIsBinary(string text, long bytes) => Assert.Equal(bytes, HumanSize.Parse(text));

    [Fact]
    public void SpeedLimit_ScalarIsBothDirectionsPerDefaultSlice()
    {
        var limit = TcpSockSpeedLimitParser.FromYaml(YamlOf("10M"));
        Assert.Equal(new TcpSockSpeedLimit(10, 10_000_000, 10_000_000), limit);
        Assert.Equal(new TcpSockSpeedLimit(10, 4096, 4096), TcpSockSpeedLimitParser.FromYaml(YamlOf("4096")));
    }

    [Fact]
    public void SpeedLimit_MapSetsShiftAndDirections()
    {
        var limit = TcpSockSpeedLimitParser.FromYaml(YamlOf("{shift: 8, north: 1KiB, download_bytes: 2K}"));
        Assert.Equal(new TcpSockSpeedLimit(8, 1024, 2000), limit);
        Assert.True(TcpSockSpeedLimitParser.FromYaml(YamlOf("{upload: 1M}")).IsUnlimited);
    }

    [Fact]
    public void Ports_AcceptIntRangesListsAndCommaStrings()
    {
        Assert.Equal([(80, 80)], PortRanges.FromYaml(YamlOf("80")));
        Assert.Equal([(100, 200)], PortRanges.FromYaml(YamlOf("'100-200'")));
        Assert.Equal([(80, 80), (443, 443), (8000, 8100)], PortRanges.FromYaml(YamlOf("80,443,8000-8100")));
        Assert.Equal([(22, 22), (1000, 1002)], PortRanges.FromYaml(YamlOf("[22, 1000-1002]")));
        Assert.Throws<FormatException>(() => PortRanges.Parse("200-100"));
        Assert.Throws<FormatException>(() => PortRanges.Parse("70000"));
    }

    [Fact]
    public void ResolveStrategy_BareStringOrMap()
    {
        Assert.Equal(ResolveQuery.Ipv4Only, ResolveStrategyParser.FromYaml(YamlOf("IPv4Only")).Query);
        Assert.Equal(ResolveQuery.Ipv6First, ResolveStrategyParser.FromYaml(YamlOf("ipv6_first")).Query);
        var s = ResolveStrategyParser.FromYaml(YamlOf("{query: Ipv6Only, pick: First}"));
        Assert.Equal(new ResolveStrategy(ResolveQuery.Ipv6Only, ResolvePick.First), s);
    }

    [Fact]
    public void TcpConnectAndHappyEyeballs()
    {
        var tc = TcpConnectParser.FromYaml(YamlOf("{max_retry: 1, each_timeout: 5s}"));
        Assert.Equal((1, TimeSpan.FromSeconds(5)), (tc.MaxRetry, tc.EachTimeout));
        var he = HappyEyeballsParser.FromYaml(YamlOf("{resolution_delay: 10ms, connection_attempt_delay: 10s, first_address_family_count: 2}"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), he.ResolutionDelay);
        Assert.Equal(TimeSpan.FromSeconds(2), he.ConnectionAttemptDelay);
        Assert.Equal(2, he.FirstAddressFamilyCount);
    }
}
