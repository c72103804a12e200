using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Escapers.Divert;
using Proxy.Actors.Escapers.Float;
using Proxy.Actors.Escapers.Proxy;
using Proxy.Actors.Escapers.Route;
using Proxy.Actors.Escapers.Route.Query;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers;

/// <summary>Builds the published handle for one escaper config.</summary>
public static class EscaperFactory
{
    /// <param name="escapers">The published escapers, where route escapers find their next ones (per call).</param>
    /// <param name="cluster">What route_region reads of the cluster (its node's region, relays and replicated rules).</param>
    public static IEscaper Create(EscaperConfig config, HandleRegistry<IResolver> resolvers, TimeProvider? time = null,
        HandleRegistry<IEscaper>? escapers = null, Stats.EscaperStats? stats = null, Cluster.ClusterView? cluster = null)
    {
        time ??= TimeProvider.System;
        var next = escapers ?? new HandleRegistry<IEscaper>(name => new DummyDenyEscaper(name));
        return config switch
        {
            DirectFloatEscaperConfig d => new DirectFloatEscaper(d, resolvers, connector: null, time),
            DirectFixedEscaperConfig d => new DirectFixedEscaper(d, resolvers, connector: null, time, stats),
            DummyDenyEscaperConfig d => new DummyDenyEscaper(d.Name),
            ProxyHttpEscaperConfig p => new ProxyHttpEscaper(p, resolvers, connector: null, time),
            ProxySocks5EscaperConfig p => new ProxySocks5Escaper(p, resolvers, connector: null, time),
            ProxyFloatEscaperConfig p => new ProxyFloatEscaper(p, resolvers, connector: null, time),
            RouteFailoverEscaperConfig r => new RouteFailoverEscaper(r, next, time),
            RouteUpstreamEscaperConfig r => new RouteUpstreamEscaper(r, next),
            RouteClientEscaperConfig r => new RouteClientEscaper(r, next),
            RouteResolvedEscaperConfig r => new RouteResolvedEscaper(r, next, resolvers, time),
            RouteSelectEscaperConfig r => new RouteSelectEscaper(r, next),
            RouteMappingEscaperConfig r => new RouteMappingEscaper(r, next),
            TrickFloatEscaperConfig r => new TrickFloatEscaper(r, next),
            RouteRegionEscaperConfig r => new RouteRegionEscaper(r, next, resolvers, time, cluster ?? Cluster.ClusterView.Empty()),
            RouteQueryEscaperConfig r => new RouteQueryEscaper(r, next, time, stats),
            RouteGeoIpEscaperConfig r => new RouteGeoIpEscaper(r, next, resolvers, time, stats),
            ComplyAuditEscaperConfig r => new ComplyAuditEscaper(r, next, stats),
            DivertTcpEscaperConfig d => new DivertTcpEscaper(d, resolvers, connector: null, time, stats),
            // The config loader refuses types it does not know, so reaching this is a bug.
            _ => throw new NotSupportedException($"escaper type '{config.TypeName}' is not supported yet"),
        };
    }
}
