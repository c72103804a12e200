using Akka.Actor;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Handles;

namespace Proxy.Actors.Audit;

/// <summary>
/// /user/node/auditors/&lt;name&gt;: owns one auditor's published handle (its config and its
/// certificate agent socket); connection tasks use the handle without passing through the actor.
/// </summary>
public sealed class AuditorActor : HandleOwnerActor<AuditorHandle>
{
    private readonly AuditorConfig _config;
    private readonly TimeProvider _time;

    public AuditorActor(AuditorConfig config, HandleRegistry<AuditorHandle> registry, TimeProvider time, IActorRef guardian)
        : base("auditor", config.Name, registry, guardian)
    {
        _config = config;
        _time = time;
    }

    protected override AuditorHandle Build() => new(_config, _time);

    public static Props Props(AuditorConfig config, HandleRegistry<AuditorHandle> registry, TimeProvider time, IActorRef guardian) =>
        Akka.Actor.Props.Create(() => new AuditorActor(config, registry, time, guardian));
}
