using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers.Route;

/// <summary>
/// g3's <c>route_resolved</c>: resolves a domain target with the happy-eyeballs resolve step (the
/// preferred family gets resolution_delay), then picks by the longest lpm_match of the first
/// address that matches any rule; an IP target is matched as it is; else default_next.
/// A failed resolution fails the request (530), as the next escaper could not connect either.
/// </summary>
internal sealed class RouteResolvedEscaper(
    RouteResolvedEscaperConfig config, HandleRegistry<IEscaper> escapers, HandleRegistry<IResolver> resolvers, TimeProvider time) : IEscaper
{
    private readonly NetworkTable _networks = new(config.Lpm);
    private readonly HappyEyeballsConfig _resolve = HappyEyeballsConfig.Default with { ResolutionDelay = config.ResolutionDelay };

    public string Name => config.Name;
    public string TypeName => config.TypeName;

    public async ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct)
    {
        string next;
        if (request.Target.Ip is { } ip)
        {
            next = _networks.Match(ip) ?? config.DefaultNext;
        }
        else
        {
            var (ips, failure) = await TargetResolution.AddressesAsync(resolvers.Get(config.Resolver), request.Target.Host,
                config.ResolveStrategy.Query, _resolve, time, ct).ConfigureAwait(false);
            if (failure is not null) return failure;
            next = ips.Select(_networks.Match).FirstOrDefault(n => n is not null) ?? config.DefaultNext;
        }
        return await escapers.Get(next).EscapeAsync(request, ct).ConfigureAwait(false);
    }
}
