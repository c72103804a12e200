using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Handles;

namespace Proxy.Actors.Escapers.Route;

/// <summary>g3's <c>route_select</c>: next_nodes picked by next_pick_policy (ketama by default) on g3's selection key.</summary>
internal sealed class RouteSelectEscaper(RouteSelectEscaperConfig config, HandleRegistry<IEscaper> escapers)
    : RouteEscaper(config.Name, config.TypeName, escapers)
{
    private readonly SelectiveVector<string> _nodes = new(config.NextNodes, n => n);

    internal override string Select(EscapeRequest request) => _nodes.Pick(config.NextPickPolicy, SelectionKey.For(request));
}
