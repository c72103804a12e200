using Akka.Actor;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Node;

namespace Proxy.Actors.Escapers;

/// <summary>
/// Owns one escaper: builds its immutable handle and publishes it; connection tasks call the
/// handle directly. Float publish and route health will live here as dynamic state.
/// </summary>
public sealed class EscaperActor : ReceiveActor
{
    private readonly EscaperConfig _config;
    private readonly NodeServices _services;
    private readonly IActorRef _guardian;
    private IEscaper? _handle;

    public EscaperActor(EscaperConfig config, NodeServices services, IActorRef guardian)
    {
        _config = config;
        _services = services;
        _guardian = guardian;
    }

    protected override void PreStart()
    {
        _handle = EscaperFactory.Create(_config, _services.Resolvers, _services.Time);
        _services.Escapers.Publish(_config.Name, _handle);
        _guardian.Tell(new NodeMessages.HandlePublished("escaper", _config.Name));
    }

    protected override void PostStop()
    {
        if (_services.Escapers.TryGet(_config.Name, out var current) && ReferenceEquals(current, _handle))
            _services.Escapers.Remove(_config.Name);
        (_handle as IDisposable)?.Dispose();
    }
}
