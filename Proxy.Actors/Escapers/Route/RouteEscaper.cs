using Proxy.Actors.Handles;

namespace Proxy.Actors.Escapers.Route;

/// <summary>
/// A route escaper that picks its next escaper from the request alone and passes the request on
/// unchanged. The next escaper is looked up by name per call, so a reload of it takes effect at
/// once; a name with no escaper acts as dummy_deny.
/// </summary>
internal abstract class RouteEscaper(string name, string typeName, HandleRegistry<IEscaper> escapers, Stats.EscaperStats? stats = null) : IEscaper
{
    public string Name { get; } = name;
    public string TypeName { get; } = typeName;

    public ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct)
    {
        // a route escaper's task count is the requests it passed on (g3's route.request_passed)
        stats?.TaskStarted();
        if (Select(request) is not { } next)
            return new(EscapeResult.Fail(EscapeErrorKind.EscaperNotUsable, $"escaper '{Name}': no next escaper matches the task's egress path id"));
        return escapers.Get(next).EscapeAsync(request, ct);
    }

    /// <summary>The name of the next escaper for this request; null when the task's egress path names none of them.</summary>
    internal abstract string? Select(EscapeRequest request);
}
