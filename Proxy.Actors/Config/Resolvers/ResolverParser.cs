using System.Net;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Resolvers;

/// <summary>Builds the resolver records of every g3 resolver type: c_ares (via DnsClient), hickory, fail_over, deny_all.</summary>
internal static class ResolverParser
{
    private static readonly KeyTable<ResolverConfig> DenyAllKeys = new KeyTable<ResolverConfig>().Skip("name|type");

    private static readonly KeyTable<ResolverConfig> CAresKeys = CacheKeys()
        .On("server", (c, v, _) => CAres(c) with { Servers = Servers(v) })
        .On("each_timeout", (c, v, _) => CAres(c) with { EachTimeout = Millis(v) })
        .On("each_tries", (c, v, _) => CAres(c) with { EachTries = YamlValue.Int32(v, 1, 255) })
        .On("max_timeout", (c, v, _) => CAres(c) with { MaxTimeout = Millis(v) is { Ticks: > 0 } t ? t : null })
        .On("round_robin", (c, v, _) => CAres(c) with { RoundRobin = YamlValue.Bool(v) })
        .On("bind_ipv4", (c, v, _) => CAres(c) with { BindIpv4 = SockAddrParser.Ip(v) })
        .On("bind_ipv6", (c, v, _) => CAres(c) with { BindIpv6 = SockAddrParser.Ip(v) })
        .NoEffect("udp_max_quires|udp_max_queries|socket_send_buffer_size|socket_recv_buffer_size");

    private static readonly KeyTable<ResolverConfig> HickoryKeys = CacheKeys()
        .On("server", (c, v, _) => Hickory(c) with { Servers = ServerIps(v) })
        .On("server_port", (c, v, _) => Hickory(c) with { ServerPort = YamlValue.Int32(v, 1, 65535) })
        .On("encryption|encrypt", (c, v, s, _, k) => Hickory(c) with { Encryption = DnsEncryptionParser.FromYaml(v, s, k) })
        .On("connect_timeout", (c, v, _) => Hickory(c) with { ConnectTimeout = HumanDuration.FromYaml(v) })
        .On("request_timeout", (c, v, _) => Hickory(c) with { RequestTimeout = HumanDuration.FromYaml(v) })
        .On("each_timeout", (c, v, _) => Hickory(c) with { EachTimeout = HumanDuration.FromYaml(v) })
        .On("each_tries|retry_attempts", (c, v, _) => Hickory(c) with { EachTries = YamlValue.Int32(v, 0) })
        .On("retry_interval", (c, v, _) => Hickory(c) with { RetryInterval = HumanDuration.FromYaml(v) })
        .On("bind_ip", (c, v, _) => Hickory(c) with { BindIp = SockAddrParser.Ip(v) })
        .On("bind_interface", (c, v, _) => Hickory(c) with { BindInterface = InterfaceNameParser.FromYaml(v) })
        .On("tcp_misc_opts", (c, v, _) => Hickory(c) with { TcpMiscOpts = MiscSockOptsParser.Tcp(v) })
        .On("udp_misc_opts", (c, v, _) => Hickory(c) with { UdpMiscOpts = MiscSockOptsParser.Udp(v) })
        // g3 reads and ignores it.
        .NoEffect("negative_max_ttl");

    private static readonly KeyTable<ResolverConfig> FailOverKeys = RuntimeKeys()
        .On("primary", (c, v, _) => FailOver(c) with { Primary = YamlValue.String(v, "a resolver name") })
        .On("standby", (c, v, _) => FailOver(c) with { Standby = YamlValue.String(v, "a resolver name") })
        .On("fallback_delay|delay|fallback_timeout|timeout", (c, v, _) => FailOver(c) with { FallbackDelay = HumanDuration.FromYaml(v) })
        .On("retry_empty_record", (c, v, _) => FailOver(c) with { RetryEmptyRecord = YamlValue.Bool(v) })
        // g3 caches the fail_over answer too; G3Actors keeps no cache of its own here: the
        // primary's and standby's caches answer, each with its own negative_min_ttl.
        .NoEffect("negative_ttl|protective_cache_ttl");

    public static ResolverConfig Parse(KnownType type, string name, YamlMappingNode map, ConfigPosition position, EntryScope scope) =>
        type.Canonical switch
        {
            "deny_all" => DenyAllKeys.Apply(new DenyAllResolverConfig { Name = name, Position = position }, map, scope),
            "c_ares" => CAresKeys.Apply(new CAresResolverConfig { Name = name, Position = position }, map, scope),
            "hickory" => CheckHickory(HickoryKeys.Apply(new HickoryResolverConfig { Name = name, Position = position }, map, scope), map, scope),
            "fail_over" => CheckFailOver(FailOverKeys.Apply(new FailOverResolverConfig { Name = name, Position = position }, map, scope), map, scope),
            _ => throw new InvalidOperationException($"no parser for built resolver type {type.Canonical}"),
        };

    /// <summary>The keys of g3's resolver runtime, which every type has.</summary>
    private static KeyTable<ResolverConfig> RuntimeKeys() => new KeyTable<ResolverConfig>()
        .Skip("name|type")
        .On("graceful_stop_wait", (c, v, _) => c with { GracefulStopWait = HumanDuration.FromYaml(v) })
        .On("protective_query_timeout", (c, v, _) => c with { ProtectiveQueryTimeout = HumanDuration.FromYaml(v) });

    /// <summary>Runtime keys plus the cache TTL bounds of the resolvers that ask DNS servers.</summary>
    private static KeyTable<ResolverConfig> CacheKeys() => RuntimeKeys()
        .On("positive_min_ttl", (c, v, _) => c with { PositiveMinTtl = YamlValue.Int32(v) })
        .On("positive_max_ttl", (c, v, _) => c with { PositiveMaxTtl = YamlValue.Int32(v) })
        .On("negative_min_ttl|negative_ttl", (c, v, _) => c with { NegativeMinTtl = YamlValue.Int32(v) });

    private static ResolverConfig CheckHickory(ResolverConfig c, YamlMappingNode map, EntryScope scope)
    {
        var h = Hickory(c);
        if (h.Servers.Count == 0) scope.Error(map, "server", "missing required key 'server' (no DNS server set)");
        // As g3: a max below the min is raised to it.
        return h.PositiveMaxTtl < h.PositiveMinTtl ? h with { PositiveMaxTtl = h.PositiveMinTtl } : h;
    }

    private static ResolverConfig CheckFailOver(ResolverConfig c, YamlMappingNode map, EntryScope scope)
    {
        var f = FailOver(c);
        if (f.Primary.Length == 0) scope.Error(map, "primary", "missing required key 'primary'");
        if (f.Standby.Length == 0) scope.Error(map, "standby", "missing required key 'standby'");
        if (f.Primary.Length > 0 && f.Primary == f.Standby)
            scope.Error(map, "standby", $"primary and standby are the same resolver '{f.Primary}'");
        return f;
    }

    private static CAresResolverConfig CAres(ResolverConfig c) => (CAresResolverConfig)c;
    private static HickoryResolverConfig Hickory(ResolverConfig c) => (HickoryResolverConfig)c;
    private static FailOverResolverConfig FailOver(ResolverConfig c) => (FailOverResolverConfig)c;

    /// <summary>c-ares timeouts are integers of milliseconds; a string with a unit is read as a duration.</summary>
    private static TimeSpan Millis(YamlNode v) =>
        YamlValue.IsInteger(v) ? TimeSpan.FromMilliseconds(YamlValue.Integer(v, 0)) : HumanDuration.FromYaml(v);

    /// <summary>A list, or one whitespace-separated string, of addresses; the port defaults to 53.</summary>
    private static IReadOnlyList<IPEndPoint> Servers(YamlNode v) =>
        Words(v, "a DNS server address").Select(w => SockAddrParser.Parse(w.Text, 53, w.At)).ToList();

    /// <summary>hickory's servers are bare IPs (the port is server_port), in the same two shapes.</summary>
    private static IReadOnlyList<IPAddress> ServerIps(YamlNode v) =>
        Words(v, "a DNS server IP").Select(w => IPAddress.TryParse(w.Text, out var ip) ? ip
            : throw YamlValue.Expected("an IP address", w.At)).ToList();

    private static IEnumerable<(string Text, YamlNode At)> Words(YamlNode v, string what)
    {
        foreach (var item in YamlValue.List(v))
            foreach (var part in YamlValue.String(item, what).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                yield return (part, item);
    }
}
