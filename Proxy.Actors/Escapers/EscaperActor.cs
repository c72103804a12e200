using Akka.Actor;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers;

/// <summary>
/// Owns one escaper's immutable handle; connection tasks call the handle directly. Float publish
/// and route health will live here as dynamic state.
/// </summary>
public sealed class EscaperActor(
    EscaperConfig config, HandleRegistry<IEscaper> escapers, HandleRegistry<IResolver> resolvers, TimeProvider time, IActorRef guardian,
    Stats.EscaperStats? stats = null)
    : HandleOwnerActor<IEscaper>("escaper", config.Name, escapers, guardian)
{
    protected override IEscaper Build() => EscaperFactory.Create(config, resolvers, time, stats);
}
