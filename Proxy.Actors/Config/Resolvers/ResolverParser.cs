using System.Net;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Resolvers;

/// <summary>Builds the resolver records G3Actors has built (c_ares via DnsClient, deny_all).</summary>
internal static class ResolverParser
{
    private static readonly KeyTable<ResolverConfig> DenyAllKeys = new KeyTable<ResolverConfig>().Skip("name|type");

    private static readonly KeyTable<ResolverConfig> CAresKeys = new KeyTable<ResolverConfig>()
        .Skip("name|type")
        .On("graceful_stop_wait", (c, v, _) => c with { GracefulStopWait = HumanDuration.FromYaml(v) })
        .On("protective_query_timeout", (c, v, _) => c with { ProtectiveQueryTimeout = HumanDuration.FromYaml(v) })
        .On("positive_min_ttl", (c, v, _) => c with { PositiveMinTtl = YamlValue.Int32(v) })
        .On("positive_max_ttl", (c, v, _) => c with { PositiveMaxTtl = YamlValue.Int32(v) })
        .On("negative_min_ttl|negative_ttl", (c, v, _) => c with { NegativeMinTtl = YamlValue.Int32(v) })
        .On("server", (c, v, _) => CAres(c) with { Servers = Servers(v) })
        .On("each_timeout", (c, v, _) => CAres(c) with { EachTimeout = Millis(v) })
        .On("each_tries", (c, v, _) => CAres(c) with { EachTries = YamlValue.Int32(v, 1, 255) })
        .On("max_timeout", (c, v, _) => CAres(c) with { MaxTimeout = Millis(v) is { Ticks: > 0 } t ? t : null })
        .On("round_robin", (c, v, _) => CAres(c) with { RoundRobin = YamlValue.Bool(v) })
        .On("bind_ipv4", (c, v, _) => CAres(c) with { BindIpv4 = SockAddrParser.Ip(v) })
        .On("bind_ipv6", (c, v, _) => CAres(c) with { BindIpv6 = SockAddrParser.Ip(v) })
        .NoEffect("udp_max_quires|udp_max_queries|socket_send_buffer_size|socket_recv_buffer_size");

    public static ResolverConfig Parse(KnownType type, string name, YamlMappingNode map, ConfigPosition position, EntryScope scope) =>
        type.Canonical switch
        {
            "deny_all" => DenyAllKeys.Apply(new DenyAllResolverConfig { Name = name, Position = position }, map, scope),
            "c_ares" => CAresKeys.Apply(new CAresResolverConfig { Name = name, Position = position }, map, scope),
            _ => throw new InvalidOperationException($"no parser for built resolver type {type.Canonical}"),
        };

    private static CAresResolverConfig CAres(ResolverConfig c) => (CAresResolverConfig)c;

    /// <summary>c-ares timeouts are integers of milliseconds; a string with a unit is read as a duration.</summary>
    private static TimeSpan Millis(YamlNode v) =>
        YamlValue.IsInteger(v) ? TimeSpan.FromMilliseconds(YamlValue.Integer(v, 0)) : HumanDuration.FromYaml(v);

    /// <summary>A list, or one whitespace-separated string, of addresses; the port defaults to 53.</summary>
    private static IReadOnlyList<IPEndPoint> Servers(YamlNode v)
    {
        var result = new List<IPEndPoint>();
        foreach (var item in YamlValue.List(v))
            foreach (var part in YamlValue.String(item, "a DNS server address").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                result.Add(SockAddrParser.Parse(part, 53, item));
        return result;
    }
}
