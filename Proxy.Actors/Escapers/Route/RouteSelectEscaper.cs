using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Handles;

namespace Proxy.Actors.Escapers.Route;

/// <summary>
/// g3's <c>route_select</c>: next_nodes picked by next_pick_policy (ketama by default) on g3's selection key,
/// unless the task's egress path (the user's egress_path_id_map first) names one of them by string id.
/// </summary>
internal sealed class RouteSelectEscaper(RouteSelectEscaperConfig config, HandleRegistry<IEscaper> escapers)
    : RouteEscaper(config.Name, config.TypeName, escapers)
{
    private readonly SelectiveVector<string> _nodes = new(config.NextNodes, n => n);

    private readonly HashSet<string> _names = config.NextNodes.Select(w => w.Value).ToHashSet(StringComparer.Ordinal);

    internal override string? Select(EscapeRequest request) =>
        request.Task.EgressStringId(Name) is { } id
            ? _names.Contains(id) ? id : null
            : _nodes.Pick(config.NextPickPolicy, SelectionKey.For(request));
}
