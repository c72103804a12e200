using System.Net;

namespace Proxy.Actors.Config.Resolvers;

/// <summary>g3's <c>c-ares</c> resolver, implemented with DnsClient.</summary>
public sealed record CAresResolverConfig : ResolverConfig
{
    public override string TypeName => "c-ares";
    /// <summary>Empty means the servers of /etc/resolv.conf.</summary>
    public IReadOnlyList<IPEndPoint> Servers { get; init; } = [];
    public TimeSpan EachTimeout { get; init; } = TimeSpan.FromMilliseconds(2000);
    public int EachTries { get; init; } = 3;
    public TimeSpan? MaxTimeout { get; init; }
    public bool RoundRobin { get; init; }
    public IPAddress? BindIpv4 { get; init; }
    public IPAddress? BindIpv6 { get; init; }
}
