using Akka.Actor;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Handles;

namespace Proxy.Actors.Resolvers;

/// <summary>Owns one resolver: its cache and upstream servers live in the published handle.</summary>
public sealed class ResolverActor(ResolverConfig config, HandleRegistry<IResolver> resolvers, TimeProvider time, IActorRef guardian,
    Stats.ResolverStats? stats = null, Logging.TaskLogger? logger = null)
    : HandleOwnerActor<IResolver>("resolver", config.Name, resolvers, guardian)
{
    protected override IResolver Build() => ResolverFactory.Create(config, Registry, time, stats, logger);
}
