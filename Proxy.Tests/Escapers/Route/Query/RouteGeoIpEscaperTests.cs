using System.Buffers;
using System.Net;
using MessagePack;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Route.Query;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Tests.Config.Escapers;

namespace Proxy.Tests.Escapers.Route.Query;

public sealed class RouteGeoIpEscaperTests
{
    private readonly HandleRegistry<IEscaper> _escapers = new(name => new DummyDenyEscaper(name));

    public RouteGeoIpEscaperTests()
    {
        foreach (var n in new[] { "net", "asn", "country", "continent", "default" }) _escapers.Publish(n, new TaggedEscaper(n));
    }

    /// <summary>A locate service: 203.0.113.0/24 answered with key ids, 198.51.100.0/24 with key names, the rest unanswered.</summary>
    private static byte[]? Locate(byte[] datagram)
    {
        var ip = IPAddress.Parse(new MessagePackReader(datagram).ReadString()!);
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        var bytes = ip.GetAddressBytes();
        if (bytes[0] == 203)
        {
            w.WriteMapHeader(6);
            w.Write(1); w.Write(ip.ToString());
            w.Write(3); w.Write("203.0.113.0/24");
            w.Write(4); w.Write("US");
            w.Write(5); w.Write("NA");
            w.Write(6); w.Write(64500u);
            w.Write(2); w.Write(60u);
        }
        else if (bytes[0] == 198)
        {
            w.WriteMapHeader(4);
            w.Write("ip"); w.Write(ip.ToString());
            w.Write("network"); w.Write("198.51.100.0/24");
            w.Write("country"); w.Write("de");
            w.Write("isp_name"); w.Write("Example ISP");
        }
        else if (bytes[0] == 172)
        {
            w.WriteMapHeader(3);
            w.Write("ip"); w.Write(ip.ToString());
            w.Write("network"); w.Write("172.16.0.0/12");
            w.Write("country"); w.Write("fra");
        }
        else if (bytes[0] == 100)
        {
            w.WriteMapHeader(3);
            w.Write("ip"); w.Write(ip.ToString());
            w.Write("network"); w.Write("100.64.0.0/10");
            w.Write("continent"); w.Write("eu");
        }
        else return null;
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private const string Rules = """
                  - next: net
                    networks: 192.0.2.0/24
                  - next: asn
                    as_numbers: [64500]
                  - next: country
                    countries: [DE]
                  - next: continent
                    continent: EU
        """;

    private RouteGeoIpEscaper Build(IPEndPoint peer, string rules = Rules)
    {
        var config = Assert.Single(EscaperConfigLoad.Load($"""
              - name: route
                type: route_geoip
                resolver: r
                default_next: default
                ip_locate_service:
                  query_peer_addr: {peer}
                  query_wait_timeout: 10s
                  cache_request_timeout: 3s
                geo_rules:
            {rules}
            """).Escapers);
        return (RouteGeoIpEscaper)EscaperFactory.Create(config, new HandleRegistry<IResolver>(n => new DenyAllResolver(n)), TimeProvider.System, _escapers);
    }

    private static Task<string> Select(RouteGeoIpEscaper route, string ip) => route.SelectAsync(IPAddress.Parse(ip), CancellationToken.None);

    [Fact]
    public async Task NetworksFirst_ThenTheLocationByAsnCountryContinent_CachedByNetwork_ElseDefault()
    {
        using var peer = new UdpTestPeer(Locate);
        using var route = Build(peer.Addr);

        Assert.Equal("net", await Select(route, "192.0.2.5"));
        Assert.Equal("asn", await Select(route, "203.0.113.7"));
        Assert.Equal("asn", await Select(route, "203.0.113.200"));
        Assert.Equal("country", await Select(route, "198.51.100.1"));
        Assert.Equal("continent", await Select(route, "100.64.1.1"));
        Assert.Equal("default", await Select(route, "10.0.0.1"));

        var asked = peer.Received.Select(d => new MessagePackReader(d).ReadString()).ToList();
        Assert.Equal(["203.0.113.7", "198.51.100.1", "100.64.1.1", "10.0.0.1"], asked);
    }

    [Fact]
    public async Task AnIpTarget_IsRoutedThroughTheEscaper()
    {
        using var peer = new UdpTestPeer(Locate);
        using var route = Build(peer.Addr);

        var result = await route.EscapeAsync(new EscapeRequest(TestTasks.Notes(), new UpstreamAddr("198.51.100.9", 443), EscapeWant.Tcp), CancellationToken.None);

        Assert.Equal("country", ((TaggedStream)result.Stream!).Tag);
    }

    [Fact]
    public async Task CountryCodes_Alpha2AndAlpha3_AreOneCountry_InRulesAndInAnswers()
    {
        using var peer = new UdpTestPeer(Locate);
        using var route = Build(peer.Addr, """
                  - next: country
                    countries: [DEU, usa, FR]
            """);

        Assert.Equal("country", await Select(route, "198.51.100.1")); // answer "de", rule DEU
        Assert.Equal("country", await Select(route, "203.0.113.7")); // answer "US", rule usa
        Assert.Equal("country", await Select(route, "172.16.0.1")); // answer "fra", rule FR
        Assert.Equal("default", await Select(route, "100.64.1.1")); // a continent only
    }

    [Theory]
    [InlineData("    resolver: r\n    default_next: d\n    geo_rules: [{next: a, countries: [ZZZ]}]\n", "invalid ISO country code 'ZZZ'")]
    [InlineData("    resolver: r\n    default_next: d\n    geo_rules: [{next: a, countries: [QQ]}]\n", "invalid ISO country code 'QQ'")]
    [InlineData("    resolver: r\n    default_next: d\n    geo_rules: [{next: a, countries: [GBR]}, {next: b, country: gb}]\n", "'GB' is set for both 'a' and 'b'")]
    [InlineData("    default_next: d\n", "missing required key 'resolver'")]
    [InlineData("    resolver: r\n    default_next: d\n    geo_rules: [{next: a, countries: [DE]}, {next: b, country: de}]\n", "'DE' is set for both 'a' and 'b'")]
    [InlineData("    resolver: r\n    default_next: d\n    geo_rules: [{next: a, continents: [XX]}]\n", "invalid continent code 'XX'")]
    [InlineData("    resolver: r\n    default_next: d\n    ip_locate_service: {peer: x}\n", "unknown key 'peer'")]
    public void Refusals_NameTheEntryAndKey(string keys, string message)
    {
        var e = EscaperConfigLoad.Refused("  - name: route\n    type: route_geoip\n" + keys);
        Assert.Contains("escaper 'route'", e.Message);
        Assert.Contains(message, e.Message);
    }
}
