using Akka.Actor;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers;

/// <summary>
/// Owns one escaper's immutable handle; connection tasks call the handle directly. Publish
/// (<see cref="PublishEscaper"/>) and its read-back (<see cref="GetPublished"/>) come here and go to
/// the handle of a float escaper; other escapers refuse a publish.
/// </summary>
public sealed class EscaperActor : HandleOwnerActor<IEscaper>
{
    private readonly EscaperConfig _config;
    private readonly HandleRegistry<IEscaper> _escapers;
    private readonly HandleRegistry<IResolver> _resolvers;
    private readonly TimeProvider _time;
    private readonly Stats.EscaperStats? _stats;

    public EscaperActor(EscaperConfig config, HandleRegistry<IEscaper> escapers, HandleRegistry<IResolver> resolvers, TimeProvider time, IActorRef guardian,
        Stats.EscaperStats? stats = null)
        : base("escaper", config.Name, escapers, guardian)
    {
        _config = config;
        _escapers = escapers;
        _resolvers = resolvers;
        _time = time;
        _stats = stats;
        Receive<PublishEscaper>(m => Sender.Tell(Handle is IPublishableEscaper p
            ? p.Publish(m.Json)
            : new PublishResult(false, $"escaper '{_config.Name}' of type {_config.TypeName} does not take publish")));
        Receive<GetPublished>(_ => Sender.Tell(new PublishedSet((Handle as IPublishableEscaper)?.Published())));
    }

    protected override IEscaper Build() => EscaperFactory.Create(_config, _resolvers, _time, _escapers, _stats, Cluster.ClusterView.Get(Context.System));
}
