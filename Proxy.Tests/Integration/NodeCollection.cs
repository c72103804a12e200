namespace Proxy.Tests.Integration;

/// <summary>Tests that start nodes (ActorSystems) or processes run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NodeCollection
{
    public const string Name = "nodes";
}
