using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Direct;

namespace Proxy.Actors.Escapers;

/// <summary>
/// What a task's user (and the explicit site its target is in) changes in how a direct escaper
/// reaches the target, as g3's direct escapers read the user context of the task notes: the
/// resolve_strategy (the site's, else the user's; combined with the escaper's own by
/// <see cref="ResolveStrategy.AdjustTo"/>) and the user's resolve_redirection (asked before the
/// escaper's own). Built once per user and site, so a task carries a reference; a user that sets
/// none of these has none.
/// </summary>
internal sealed class UserEscape(ResolveStrategy? resolveStrategy, ResolveRedirectionTable? redirection, string poolTag)
{
    public ResolveStrategy? ResolveStrategy { get; } = resolveStrategy;
    public ResolveRedirectionTable? Redirection { get; } = redirection;

    /// <summary>
    /// Part of a kept-alive forward upstream's pool key: a connection made under one user's (or
    /// site's) addresses and TLS settings is not handed to a task that would have reached elsewhere.
    /// </summary>
    public string PoolTag { get; } = poolTag;
}
