using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;

namespace Proxy.Actors.Cluster;

/// <summary>
/// The region rules, replicated with Akka.DistributedData as one LWW map (rule key -> region):
/// every node holds all of them, a write on any node reaches the others by gossip, and a node cut
/// off keeps routing with what it had. Changes are published into <see cref="RouteRulesHandle"/>.
/// </summary>
internal sealed class RouteRulesActor : ReceiveActor
{
    public const string Name = "route-rules";

    private static readonly LWWDictionaryKey<string, string> Key = new("g3-route-rules");
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(3);

    private sealed record Pending(IActorRef ReplyTo);

    private readonly RouteRulesHandle _handle;
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly UniqueAddress _self = Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress;

    public RouteRulesActor(RouteRulesHandle handle)
    {
        _handle = handle;
        Receive<SetRouteRules>(cmd =>
        {
            var set = cmd.Set;
            var remove = cmd.Remove;
            // WriteLocal: the write is applied at once and gossiped; a cut-off node can still set rules for its side.
            _replicator.Tell(Dsl.Update(Key, LWWDictionary<string, string>.Empty, WriteLocal.Instance, new Pending(Sender), map =>
            {
                foreach (var r in remove) map = map.Remove(_self, r.Key);
                foreach (var r in set) map = map.SetItem(_self, r.Key, r.Region);
                return map;
            }));
        });
        Receive<UpdateSuccess>(s => ((Pending)s.Request!).ReplyTo.Tell(new RouteRulesSet(true, null)));
        Receive<IUpdateFailure>(f => ((Pending)f.Request!).ReplyTo.Tell(new RouteRulesSet(false, f.GetType().Name)));
        Receive<Changed>(c =>
        {
            var map = c.Get(Key);
            var rules = map.Entries.Select(e => RouteRule.FromKey(e.Key, e.Value)).OfType<RouteRule>()
                .OrderBy(r => r.Key, StringComparer.Ordinal).ToImmutableArray();
            _handle.Publish(rules);
        });
    }

    public static Props Props(RouteRulesHandle handle) => Akka.Actor.Props.Create(() => new RouteRulesActor(handle));

    protected override void PreStart() => _replicator.Tell(Dsl.Subscribe(Key, Self));
}
