namespace Proxy.Actors.Escapers;

/// <summary>
/// An escaper that keeps idle HTTP forward upstreams and can lend one without an escape: the
/// common keep-alive request skips the asynchronous escape path. A miss (or a request the escaper
/// would key differently, e.g. by egress path) returns null and the caller escapes as always.
/// </summary>
public interface IHttpForwardPool
{
    /// <summary>An idle pooled connection for the request, counted as one of the escaper's tasks; null when none.</summary>
    EscapeResult? TryTakePooled(EscapeRequest request);
}
