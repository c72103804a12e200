using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Handles;

namespace Proxy.Actors.Escapers.Route;

/// <summary>
/// g3's <c>route_mapping</c>: the next escaper by a path-selection index (1-based, wrapping); a
/// request without one gets a random next escaper, as in g3. Requests carry no path selection
/// yet (username_params is not wired to escapers), so every pick is the random one for now.
/// </summary>
internal sealed class RouteMappingEscaper(RouteMappingEscaperConfig config, HandleRegistry<IEscaper> escapers)
    : RouteEscaper(config.Name, config.TypeName, escapers)
{
    internal override string Select(EscapeRequest request) => Pick(null);

    internal string Pick(int? index) =>
        index is > 0 ? config.Next[(index.Value - 1) % config.Next.Count] : config.Next[Random.Shared.Next(config.Next.Count)];
}
