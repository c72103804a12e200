using Akka.Actor;

namespace Proxy.Actors.Handles;

/// <summary>
/// Owns one object's published handle (a resolver, an escaper): builds it from the config on
/// start and publishes it, so connection tasks call it without passing through the actor. A
/// restart (under back-off) rebuilds from the same last good config; on stop the handle is
/// withdrawn unless a newer one replaced it.
/// </summary>
public abstract class HandleOwnerActor<T> : ReceiveActor where T : class
{
    private readonly string _family;
    private readonly string _name;
    private readonly HandleRegistry<T> _registry;

    /// <summary>Where this actor publishes its handle (a handle that looks up its siblings uses it too).</summary>
    protected HandleRegistry<T> Registry => _registry;
    private readonly IActorRef _guardian;
    private T? _handle;
    private bool _retired;

    protected HandleOwnerActor(string family, string name, HandleRegistry<T> registry, IActorRef guardian)
    {
        _family = family;
        _name = name;
        _registry = registry;
        _guardian = guardian;
        Receive<HandleRetire>(_ =>
        {
            _retired = true;
            // Under a back-off supervisor (OnFailure) a child stopping itself stops the supervisor too.
            Context.Stop(Self);
        });
    }

    protected abstract T Build();

    /// <summary>The handle published now (null before start).</summary>
    protected T? Handle => _handle;

    protected override void PreStart()
    {
        _handle = Build();
        _registry.Publish(_name, _handle);
        _guardian.Tell(new HandlePublished(_family, _name));
    }

    /// <summary>Publishes a newer handle (dynamic users, a publish): new tasks get it, running ones keep theirs.</summary>
    protected void Replace(T handle)
    {
        _handle = handle;
        _registry.Publish(_name, handle);
    }

    protected override void PostStop()
    {
        if (!_retired && _registry.TryGet(_name, out var current) && ReferenceEquals(current, _handle)) _registry.Remove(_name);
        (_handle as IDisposable)?.Dispose();
    }
}
