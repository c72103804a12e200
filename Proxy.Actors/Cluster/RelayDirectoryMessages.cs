using Akka.Actor;

namespace Proxy.Actors.Cluster;

/// <summary>Messages to a region's directory entity; <see cref="Region"/> is the entity and shard id.</summary>
public interface IRegionDirectoryMessage
{
    string Region { get; }
}

/// <summary>A node advertises (or refreshes the load of) its relay; sent again every tick.</summary>
public sealed record RegisterRelay(string Region, RelayEndpoint Endpoint) : IRegionDirectoryMessage;

/// <summary>A node withdraws its relay (offline, drain).</summary>
public sealed record UnregisterRelay(string Region, string Member, string Server) : IRegionDirectoryMessage;

/// <summary>Subscribe to a region's live relays; renewed every tick, so a moved entity learns its subscribers again.</summary>
public sealed record SubscribeRelays(string Region, IActorRef Subscriber) : IRegionDirectoryMessage;

/// <summary>The entity's answer and every change after it: the region's relays whose members are reachable.</summary>
public sealed record RegionRelays(string Region, IReadOnlyList<RelayEndpoint> Relays) : IRegionDirectoryMessage;
