using Akka.Actor;
using Proxy.Control.Host;

namespace Proxy.Control.Fleet;

/// <summary>
/// <c>/user/fleet-control</c> on every member's cluster ActorSystem: takes a <see cref="FleetRequest"/>
/// from the member that fans out a <c>--cluster</c> command, runs it on this node's control actor and
/// answers a <see cref="FleetReply"/>. A well-known name, so a member is reached by its address alone.
/// </summary>
internal sealed class FleetMemberActor : ReceiveActor
{
    public const string Name = "fleet-control";

    /// <summary>Longer than any word takes (a reload answers within 10 s); the asking member has its own, shorter limit.</summary>
    private static readonly TimeSpan LocalLimit = TimeSpan.FromSeconds(60);

    public FleetMemberActor(IActorRef control)
    {
        Receive<FleetRequest>(r =>
        {
            if (r.Words.Contains(FleetFanOut.Flag, StringComparer.Ordinal))
            {
                Sender.Tell(new FleetReply([], null, "--cluster cannot be nested"));
                return;
            }
            control.Ask<ControlReply>(new ControlRequest(r.Words), LocalLimit)
                .PipeTo(Sender,
                    success: reply => new FleetReply(reply.Lines.ToArray(), reply.Notice, reply.Error),
                    failure: e => new FleetReply([], null, e.GetBaseException().Message));
        });
    }

    public static Props Props(IActorRef control) => Akka.Actor.Props.Create(() => new FleetMemberActor(control));
}
