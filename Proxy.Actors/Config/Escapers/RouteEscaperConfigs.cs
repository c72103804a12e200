using System.Net;
using System.Text.RegularExpressions;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Escapers;

/// <summary>A rule of a route escaper: the next escaper's name and what sends a request there.</summary>
public sealed record RouteRule<T>(string Next, T Value);

/// <summary>A regex_match rule: <c>Parent</c> (with its dot) is stripped from the host before the match.</summary>
public sealed record RouteRegex(string? Parent, Regex Regex);

/// <summary>g3's <c>route_failover</c>: the standby starts when the primary failed or has not connected within fallback_delay.</summary>
public sealed record RouteFailoverEscaperConfig : EscaperConfig
{
    public override string TypeName => "RouteFailover";
    public string Primary { get; init; } = "";
    public string Standby { get; init; } = "";
    public TimeSpan FallbackDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public override IEnumerable<(string Key, string Name)> NextEscapers => [("primary_next", Primary), ("standby_next", Standby)];
}

/// <summary>g3's <c>route_upstream</c>: by the target host (exact, subnet for IPs; exact, child, suffix, regex for names).</summary>
public sealed record RouteUpstreamEscaperConfig : EscaperConfig
{
    public override string TypeName => "RouteUpstream";
    public IReadOnlyList<RouteRule<string>> Exact { get; init; } = [];
    public IReadOnlyList<RouteRule<IPNetwork>> Subnet { get; init; } = [];
    public IReadOnlyList<RouteRule<string>> Child { get; init; } = [];
    public IReadOnlyList<RouteRule<string>> Suffix { get; init; } = [];
    public IReadOnlyList<RouteRule<RouteRegex>> Regex { get; init; } = [];
    public string DefaultNext { get; init; } = "";

    public override IEnumerable<(string Key, string Name)> NextEscapers =>
        Exact.Select(r => ("exact_match", r.Next)).Concat(Subnet.Select(r => ("subnet_match", r.Next)))
            .Concat(Child.Select(r => ("child_match", r.Next))).Concat(Suffix.Select(r => ("suffix_match", r.Next)))
            .Concat(Regex.Select(r => ("regex_match", r.Next))).Append(("default_next", DefaultNext));
}

/// <summary>g3's <c>route_client</c>: by the client address (exact, then longest subnet).</summary>
public sealed record RouteClientEscaperConfig : EscaperConfig
{
    public override string TypeName => "RouteClient";
    public IReadOnlyList<RouteRule<IPAddress>> Exact { get; init; } = [];
    public IReadOnlyList<RouteRule<IPNetwork>> Subnet { get; init; } = [];
    public string DefaultNext { get; init; } = "";

    public override IEnumerable<(string Key, string Name)> NextEscapers =>
        Exact.Select(r => ("exact_match", r.Next)).Concat(Subnet.Select(r => ("subnet_match", r.Next))).Append(("default_next", DefaultNext));
}

/// <summary>g3's <c>route_resolved</c>: by the target's resolved address (longest prefix).</summary>
public sealed record RouteResolvedEscaperConfig : EscaperConfig
{
    public override string TypeName => "RouteResolved";
    public override string? Resolver { get; init; }
    public ResolveStrategy ResolveStrategy { get; init; } = ResolveStrategy.Default;
    public TimeSpan ResolutionDelay { get; init; } = TimeSpan.FromMilliseconds(50);
    public IReadOnlyList<RouteRule<IPNetwork>> Lpm { get; init; } = [];
    public string DefaultNext { get; init; } = "";

    public override IEnumerable<(string Key, string Name)> NextEscapers =>
        Lpm.Select(r => ("lpm_match", r.Next)).Append(("default_next", DefaultNext));
}

/// <summary>g3's <c>route_select</c>: a weighted pick among next escapers.</summary>
public sealed record RouteSelectEscaperConfig : EscaperConfig
{
    public override string TypeName => "RouteSelect";
    public IReadOnlyList<Weighted<string>> NextNodes { get; init; } = [];
    public SelectivePickPolicy NextPickPolicy { get; init; } = SelectivePickPolicy.Ketama;
    public override IEnumerable<(string Key, string Name)> NextEscapers => NextNodes.Select(n => ("next_nodes", n.Value));
}

/// <summary>g3's <c>route_mapping</c>: the next escaper by path-selection index; random without one.</summary>
public sealed record RouteMappingEscaperConfig : EscaperConfig
{
    public override string TypeName => "RouteMapping";
    public IReadOnlyList<string> Next { get; init; } = [];
    public override IEnumerable<(string Key, string Name)> NextEscapers => Next.Select(n => ("next", n));
}

/// <summary>g3's <c>trick_float</c>: a random pick among float escapers (duplicates in next are ignored).</summary>
public sealed record TrickFloatEscaperConfig : EscaperConfig
{
    public override string TypeName => "TrickFloat";
    public IReadOnlyList<string> Next { get; init; } = [];
    public override IEnumerable<(string Key, string Name)> NextEscapers => Next.Select(n => ("next", n));
}

/// <summary>g3's <c>route_query</c>: asks a query agent over UDP msgpack which next escaper to use (cached).</summary>
public sealed record RouteQueryEscaperConfig : EscaperConfig
{
    public override string TypeName => "RouteQuery";
    public bool QueryPassClientIp { get; init; }
    public IReadOnlyList<string> QueryAllowedNext { get; init; } = [];
    public string FallbackNode { get; init; } = "";
    /// <summary>g3's cache runtime batch size: parsed, no effect here (the cache has no runtime loop).</summary>
    public int CacheRequestBatchCount { get; init; } = 10;
    public TimeSpan CacheRequestTimeout { get; init; } = TimeSpan.FromMilliseconds(100);
    public SelectivePickPolicy CachePickPolicy { get; init; } = SelectivePickPolicy.Ketama;
    public System.Net.IPEndPoint QueryPeerAddr { get; init; } = new(System.Net.IPAddress.Loopback, 1053);
    public SocketBufferConfig? QuerySocketBuffer { get; init; }
    public TimeSpan QueryWaitTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public uint ProtectiveCacheTtl { get; init; } = 10;
    public uint MaximumCacheTtl { get; init; } = 1800;
    public TimeSpan CacheVanishWait { get; init; } = TimeSpan.FromSeconds(30);

    public override IEnumerable<(string Key, string Name)> NextEscapers =>
        QueryAllowedNext.Select(n => ("query_allowed_next", n)).Append(("fallback_node", FallbackNode));
}

/// <summary>g3's ip locate service config (values/geoip.rst): where route_geoip asks for an address's location.</summary>
public sealed record IpLocateServiceConfig
{
    public System.Net.IPEndPoint QueryPeerAddr { get; init; } = new(System.Net.IPAddress.Loopback, 2888);
    public SocketBufferConfig? QuerySocketBuffer { get; init; }
    public TimeSpan QueryWaitTimeout { get; init; } = TimeSpan.FromSeconds(1);
    public uint DefaultExpireTtl { get; init; } = 10;
    public uint MaximumExpireTtl { get; init; } = 300;
    /// <summary>g3's cache runtime batch size: parsed, no effect here.</summary>
    public int CacheRequestBatchCount { get; init; } = 10;
    public TimeSpan CacheRequestTimeout { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// g3's <c>route_geoip</c>: by the resolved target address: networks first (longest prefix), then
/// the location from the ip locate service (AS number, country, continent), else default_next.
/// Countries and continents are held upper-case.
/// </summary>
public sealed record RouteGeoIpEscaperConfig : EscaperConfig
{
    public override string TypeName => "RouteGeoIp";
    public override string? Resolver { get; init; }
    public ResolveStrategy ResolveStrategy { get; init; } = ResolveStrategy.Default;
    public TimeSpan ResolutionDelay { get; init; } = TimeSpan.FromMilliseconds(50);
    public IpLocateServiceConfig IpLocateService { get; init; } = new();
    public IReadOnlyList<RouteRule<IPNetwork>> Networks { get; init; } = [];
    public IReadOnlyList<RouteRule<uint>> AsNumbers { get; init; } = [];
    public IReadOnlyList<RouteRule<string>> Countries { get; init; } = [];
    public IReadOnlyList<RouteRule<string>> Continents { get; init; } = [];
    public string DefaultNext { get; init; } = "";

    public override IEnumerable<(string Key, string Name)> NextEscapers =>
        Networks.Select(r => r.Next).Concat(AsNumbers.Select(r => r.Next)).Concat(Countries.Select(r => r.Next))
            .Concat(Continents.Select(r => r.Next)).Select(n => ("geo_rules", n)).Append(("default_next", DefaultNext));
}

/// <summary>g3's <c>comply_audit</c>: passes every request to <see cref="Next"/> with <see cref="Auditor"/> in place of the server's auditor.</summary>
public sealed record ComplyAuditEscaperConfig : EscaperConfig
{
    public override string TypeName => "ComplyAudit";
    public string Next { get; init; } = "";
    public string Auditor { get; init; } = "";
    public override IEnumerable<(string Key, string Name)> NextEscapers => [("next", Next)];
}
