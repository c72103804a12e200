using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Resolvers.CAres;

namespace Proxy.Actors.Resolvers;

/// <summary>Builds the published handle for one resolver config.</summary>
public static class ResolverFactory
{
    public static IResolver Create(ResolverConfig config, TimeProvider? time = null, Stats.ResolverStats? stats = null,
        Logging.TaskLogger? logger = null) => config switch
    {
        CAresResolverConfig c => new CAresResolver(c, time, stats, logger),
        DenyAllResolverConfig d => new DenyAllResolver(d.Name),
        // The config loader refuses types it does not know, so reaching this is a bug.
        _ => throw new NotSupportedException($"resolver type '{config.TypeName}' is not supported yet"),
    };
}
