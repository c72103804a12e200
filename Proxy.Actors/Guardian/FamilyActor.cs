using Akka.Actor;

namespace Proxy.Actors.Guardian;

/// <summary>A named group of one family (resolvers/, escapers/, servers/) so paths read as the architecture says.</summary>
public sealed class FamilyActor : ReceiveActor
{
    public sealed record Spawn(string Name, Props Props);
    public sealed record Broadcast(object Message, IActorRef ReplyTo);

    public FamilyActor()
    {
        Receive<Spawn>(s => Context.ActorOf(s.Props, s.Name));
        Receive<Broadcast>(b =>
        {
            foreach (var child in Context.GetChildren()) child.Tell(b.Message, b.ReplyTo);
        });
    }

    /// <summary>A server whose actor crashes is restarted, which re-binds its listener.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(10, TimeSpan.FromMinutes(1), _ => Directive.Restart);
}
