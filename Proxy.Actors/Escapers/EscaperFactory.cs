using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Escapers.Proxy;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers;

/// <summary>Builds the published handle for one escaper config.</summary>
public static class EscaperFactory
{
    public static IEscaper Create(EscaperConfig config, HandleRegistry<IResolver> resolvers, TimeProvider? time = null,
        Stats.EscaperStats? stats = null) =>
        config switch
        {
            DirectFixedEscaperConfig d => new DirectFixedEscaper(d, resolvers, connector: null, time, stats),
            DummyDenyEscaperConfig d => new DummyDenyEscaper(d.Name),
            ProxyHttpEscaperConfig p => new ProxyHttpEscaper(p, resolvers, connector: null, time),
            // The config loader refuses types it does not know, so reaching this is a bug.
            _ => throw new NotSupportedException($"escaper type '{config.TypeName}' is not supported yet"),
        };
}
