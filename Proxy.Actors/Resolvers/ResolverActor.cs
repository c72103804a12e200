using Akka.Actor;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Node;

namespace Proxy.Actors.Resolvers;

/// <summary>Owns one resolver: its cache and upstream servers live in the published handle.</summary>
public sealed class ResolverActor(ResolverConfig config, NodeServices services, IActorRef guardian)
    : HandleOwnerActor<IResolver>("resolver", config.Name, services.Resolvers, guardian)
{
    protected override IResolver Build() => ResolverFactory.Create(config, services.Time,
        services.ResolverStats.GetOrAdd(config.Name, _ => new Stats.ResolverStats()), services.Logger);
}
