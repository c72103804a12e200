using Akka.Actor;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Node;

namespace Proxy.Actors.Resolvers;

/// <summary>
/// Owns one resolver: builds its handle from the config and publishes it, so lookups never
/// pass through this actor. A restart (under back-off) rebuilds from the same last good config.
/// </summary>
public sealed class ResolverActor : ReceiveActor
{
    private readonly ResolverConfig _config;
    private readonly NodeServices _services;
    private readonly IActorRef _guardian;
    private IResolver? _handle;

    public ResolverActor(ResolverConfig config, NodeServices services, IActorRef guardian)
    {
        _config = config;
        _services = services;
        _guardian = guardian;
    }

    protected override void PreStart()
    {
        _handle = ResolverFactory.Create(_config, _services.Time);
        _services.Resolvers.Publish(_config.Name, _handle);
        _guardian.Tell(new NodeMessages.HandlePublished("resolver", _config.Name));
    }

    protected override void PostStop()
    {
        if (_services.Resolvers.TryGet(_config.Name, out var current) && ReferenceEquals(current, _handle))
            _services.Resolvers.Remove(_config.Name);
        (_handle as IDisposable)?.Dispose();
    }
}
