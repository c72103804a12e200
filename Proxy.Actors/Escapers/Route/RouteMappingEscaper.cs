using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Handles;

namespace Proxy.Actors.Escapers.Route;

/// <summary>
/// g3's <c>route_mapping</c>: the next escaper by the task's egress path number id for this escaper
/// (http_proxy's egress_path_selection_header; 1-based, 0 the last, larger ids wrap); a request
/// without one gets a random next escaper, as in g3.
/// </summary>
internal sealed class RouteMappingEscaper(RouteMappingEscaperConfig config, HandleRegistry<IEscaper> escapers)
    : RouteEscaper(config.Name, config.TypeName, escapers)
{
    internal override string Select(EscapeRequest request) =>
        config.Next[request.Task.EgressPath?.SelectNumberId(config.Name, config.Next.Count) ?? Random.Shared.Next(config.Next.Count)];
}
