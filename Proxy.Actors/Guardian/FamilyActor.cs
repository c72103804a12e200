using Akka.Actor;

namespace Proxy.Actors.Guardian;

/// <summary>A named group of one family (resolvers/, escapers/, servers/) so paths read as the architecture says.</summary>
public sealed class FamilyActor : ReceiveActor
{
    public sealed record Spawn(string Name, Props Props);
    public sealed record Broadcast(object Message, IActorRef ReplyTo);
    /// <summary>
    /// Start <paramref name="Props"/> as <paramref name="Name"/>, once the child of that name (if
    /// any) has stopped: it is sent <paramref name="Retire"/>, or stopped when that is null.
    /// </summary>
    public sealed record Replace(string Name, Props Props, object? Retire);
    public sealed record StopChild(string Name);
    /// <summary>To one child, with a reply address; <see cref="NoChild"/> comes back when there is none.</summary>
    public sealed record Forward(string Name, object Message, IActorRef ReplyTo);
    public sealed record NoChild(string Name);

    private readonly Dictionary<IActorRef, (string Name, Props Props)> _replacing = new();

    public FamilyActor()
    {
        Receive<Spawn>(s => Context.ActorOf(s.Props, s.Name));
        Receive<Broadcast>(b =>
        {
            foreach (var child in Context.GetChildren()) child.Tell(b.Message, b.ReplyTo);
        });
        Receive<Replace>(OnReplace);
        Receive<StopChild>(s =>
        {
            var child = Context.Child(s.Name);
            if (!child.IsNobody()) Context.Stop(child);
        });
        Receive<Forward>(f =>
        {
            var child = Context.Child(f.Name);
            if (!child.IsNobody()) child.Tell(f.Message, f.ReplyTo);
            else f.ReplyTo.Tell(new NoChild(f.Name));
        });
        Receive<Terminated>(t =>
        {
            if (_replacing.Remove(t.ActorRef, out var next)) Context.ActorOf(next.Props, next.Name);
        });
    }

    private void OnReplace(Replace r)
    {
        var old = Context.Child(r.Name);
        if (old.IsNobody())
        {
            Context.ActorOf(r.Props, r.Name);
            return;
        }
        _replacing[old] = (r.Name, r.Props);
        Context.Watch(old);
        if (r.Retire is not null) old.Tell(r.Retire);
        else Context.Stop(old);
    }

    /// <summary>A server whose actor crashes is restarted, which re-binds its listener.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(10, TimeSpan.FromMinutes(1), _ => Directive.Restart);
}
