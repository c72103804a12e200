namespace Proxy.Actors.Config.Values;

/// <summary>g3's <c>stat</c> section (StatsD). Parsed now; the emitter comes with its own issue.</summary>
public sealed record StatConfig
{
    public string? TargetUdp { get; init; }
    public string? TargetUnix { get; init; }
    public string Prefix { get; init; } = "g3proxy";
    public TimeSpan EmitInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>Local IP the UDP sender binds to (g3 target_udp.bind_ip).</summary>
    public System.Net.IPAddress? TargetUdpBindIp { get; init; }
    public int CacheSize { get; init; } = 256 * 1024;
    /// <summary>Null means g3's default: 1400 for UDP, 4096 for unix sockets.</summary>
    public int? MaxSegmentSize { get; init; }
}
