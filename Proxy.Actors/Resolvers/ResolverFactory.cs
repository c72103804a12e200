using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers.CAres;
using Proxy.Actors.Resolvers.FailOver;
using Proxy.Actors.Resolvers.Hickory;

namespace Proxy.Actors.Resolvers;

/// <summary>Builds the published handle for one resolver config.</summary>
public static class ResolverFactory
{
    /// <param name="resolvers">Where a fail_over finds its members (by name, at each query).</param>
    public static IResolver Create(ResolverConfig config, HandleRegistry<IResolver> resolvers, TimeProvider? time = null,
        Stats.ResolverStats? stats = null, Logging.TaskLogger? logger = null) => config switch
    {
        CAresResolverConfig c => new CAresResolver(c, time, stats, logger),
        HickoryResolverConfig h => new HickoryResolver(h, time, stats),
        FailOverResolverConfig f => new FailOverResolver(f, resolvers, time),
        DenyAllResolverConfig d => new DenyAllResolver(d.Name),
        // The config loader refuses types it does not know, so reaching this is a bug.
        _ => throw new NotSupportedException($"resolver type '{config.TypeName}' is not supported yet"),
    };
}
