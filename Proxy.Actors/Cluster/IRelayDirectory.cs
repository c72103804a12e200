using System.Collections.Immutable;

namespace Proxy.Actors.Cluster;

/// <summary>
/// What the data path reads (the <c>route_region</c> escaper will): the live relays of a region,
/// from a local snapshot. No message, no lock. An unknown region or one whose directory cannot be
/// reached has none.
/// </summary>
public interface IRelayDirectory
{
    IReadOnlyList<RelayEndpoint> LiveRelays(string region);
}

/// <summary>The node's published snapshot, swapped whole by <see cref="RelayDirectoryActor"/>.</summary>
public sealed class RelayDirectoryHandle : IRelayDirectory
{
    private ImmutableDictionary<string, IReadOnlyList<RelayEndpoint>> _live = ImmutableDictionary<string, IReadOnlyList<RelayEndpoint>>.Empty;

    public IReadOnlyList<RelayEndpoint> LiveRelays(string region) =>
        Volatile.Read(ref _live).TryGetValue(region, out var relays) ? relays : [];

    internal void Publish(ImmutableDictionary<string, IReadOnlyList<RelayEndpoint>> live) => Volatile.Write(ref _live, live);
}
