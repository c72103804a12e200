namespace Proxy.Actors.Config.Escapers;

/// <summary>
/// g3's <c>direct_float</c>: direct_fixed whose bind IPs come from <c>publish</c> (kept in the cache
/// files across restarts) instead of the config; tcp_keepalive defaults to 60s.
/// </summary>
public sealed record DirectFloatEscaperConfig : DirectFixedEscaperConfig
{
    public override string TypeName => "DirectFloat";
    public string? CacheIpv4 { get; init; }
    public string? CacheIpv6 { get; init; }
}
