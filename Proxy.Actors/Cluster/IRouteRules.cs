using System.Collections.Immutable;

namespace Proxy.Actors.Cluster;

/// <summary>The replicated region rules as the data path sees them: a local snapshot, read without a lock.</summary>
public interface IRouteRules
{
    IReadOnlyList<RouteRule> Rules { get; }
}

/// <summary>Swapped whole by <see cref="RouteRulesActor"/> on every replicated change.</summary>
public sealed class RouteRulesHandle : IRouteRules
{
    private IReadOnlyList<RouteRule> _rules = ImmutableArray<RouteRule>.Empty;

    public IReadOnlyList<RouteRule> Rules => Volatile.Read(ref _rules);

    internal void Publish(IReadOnlyList<RouteRule> rules) => Volatile.Write(ref _rules, rules);
}
