using Akka.Actor;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Node;

namespace Proxy.Actors.Escapers;

/// <summary>
/// Owns one escaper's immutable handle; connection tasks call the handle directly. Float publish
/// and route health will live here as dynamic state.
/// </summary>
public sealed class EscaperActor(EscaperConfig config, NodeServices services, IActorRef guardian)
    : HandleOwnerActor<IEscaper>("escaper", config.Name, services.Escapers, guardian)
{
    protected override IEscaper Build() => EscaperFactory.Create(config, services.Resolvers, services.Time,
        services.EscaperStats.GetOrAdd(config.Name, _ => new Stats.EscaperStats()));
}
