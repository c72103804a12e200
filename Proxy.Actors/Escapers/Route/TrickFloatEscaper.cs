using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Handles;

namespace Proxy.Actors.Escapers.Route;

/// <summary>
/// g3's <c>trick_float</c>: each request goes to a random one of its next escapers (meant to be
/// direct_float or proxy_float escapers, so the exit changes per connection).
/// </summary>
internal sealed class TrickFloatEscaper(TrickFloatEscaperConfig config, HandleRegistry<IEscaper> escapers)
    : RouteEscaper(config.Name, config.TypeName, escapers)
{
    internal override string Select(EscapeRequest request) => config.Next[Random.Shared.Next(config.Next.Count)];
}
