using Akka.Cluster.Sharding;

namespace Proxy.Actors.Cluster;

/// <summary>One entity per region, alone in its own shard.</summary>
internal sealed class RegionMessageExtractor : IMessageExtractor
{
    public static readonly RegionMessageExtractor Instance = new();

    public string? EntityId(object message) => (message as IRegionDirectoryMessage)?.Region;

    public object? EntityMessage(object message) => message;

    // Sharding answers StartEntity itself (AK2001), so only our own messages are routed here.
    public string? ShardId(object message) => (message as IRegionDirectoryMessage)?.Region;

    public string ShardId(string entityId, object? messageHint = null) => entityId;
}
