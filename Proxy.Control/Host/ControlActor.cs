using System.Reflection;
using Akka.Actor;
using Proxy.Actors.Config;
using Proxy.Actors.Guardian;
using Proxy.Control.Commands;
using Proxy.Control.Fleet;
using Proxy.Control.Palettes;

namespace Proxy.Control.Host;

/// <summary>
/// /user/node/control: the pbm endpoint's actor. Sessions (<see cref="ControlListener"/>) ask it
/// one <see cref="ControlRequest"/> per command; it answers a <see cref="ControlReply"/>. Words
/// that wait (reload, queries, asks to other actors) run as tasks whose result is piped back, so
/// the actor stays responsive; the offline sequence is its state (<see cref="ControlActor"/>.Offline).
/// </summary>
internal sealed partial class ControlActor : ReceiveActor, IWithTimers
{
    public const string Name = "control";

    /// <summary>A reload's outcome, applied on the actor's thread so <see cref="_config"/> has one writer.</summary>
    private sealed record ReloadFinished(ProxyConfig? Config, ControlReply Reply, IActorRef ReplyTo);

    private readonly NodeServices _services;
    private readonly ControlEndpoint _sharedEndpoint;
    /// <summary>The shared control.listen endpoint; null while another process holds it (hot upgrade).</summary>
    private ControlListener? _shared;
    /// <summary>This process's own unix socket; null when the host runs without one (in-process tests).</summary>
    private readonly ControlListener? _own;
    private readonly ControlHooks _hooks;
    private volatile ProxyConfig _config;

    public ITimerScheduler Timers { get; set; } = null!;

    public ControlActor(ProxyConfig config, NodeServices services, ControlEndpoint sharedEndpoint, ControlListener? shared,
        ControlListener? own, ControlHooks hooks)
    {
        _config = config;
        _services = services;
        _sharedEndpoint = sharedEndpoint;
        _shared = shared;
        _own = own;
        _hooks = hooks;
        Receive<ControlRequest>(r => Dispatch(r.Words));
        Receive<ReloadFinished>(f =>
        {
            if (f.Config is not null) _config = f.Config;
            f.ReplyTo.Tell(f.Reply);
        });
        OfflineReceives();
        UpgradeReceives();
    }

    /// <param name="shared">The bound control.listen endpoint, or null when a hot upgrade takes it over later (<see cref="AttachShared"/>).</param>
    /// <param name="own">This process's unix socket (<see cref="ProcessSocket"/>), if any.</param>
    public static Props Props(ProxyConfig config, NodeServices services, ControlEndpoint sharedEndpoint, ControlListener? shared,
        ControlListener? own, ControlHooks hooks) =>
        Akka.Actor.Props.Create(() => new ControlActor(config, services, sharedEndpoint, shared, own, hooks));

    public static string NodeVersion =>
        "G3Actors " + (typeof(ControlActor).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0")
            .Split('+')[0];

    protected override void PreStart()
    {
        if (_shared is not null) Run(_shared);
        if (_own is not null) Run(_own);
    }

    private void Run(ControlListener listener) =>
        _ = listener.RunAsync(Self, () => ObjectNames.Of(_config, _hooks.ClusterOrEmpty), _hooks.Version);

    protected override void PostStop()
    {
        _shared?.Dispose();
        _releasedListener?.Dispose();
        _own?.Dispose();
        _sharedEndpoint.Certificate?.Dispose();
    }

    private IActorRef Guardian => Context.Parent;

    private void Dispatch(IReadOnlyList<string> words)
    {
        var w = words.ToArray();
        if (w.Contains(FleetFanOut.Flag, StringComparer.Ordinal))
        {
            Pipe(FleetFanOut.RunAsync(w, Cluster));
            return;
        }
        switch (w)
        {
            case ["help"]:
                Sender.Tell(ControlReply.Text(NodePalettes.HelpLines()));
                break;
            case ["version"]:
                Sender.Tell(ControlReply.Text([_hooks.Version]));
                break;
            case ["list", var kind]:
                Sender.Tell(ListWord.Run(kind, _config));
                break;
            case ["reload"]:
                Reload(null, null);
                break;
            case [var verb, var name] when verb.StartsWith("reload-", StringComparison.Ordinal):
                Reload(verb["reload-".Length..], name);
                break;
            case ["offline"]:
                Sender.Tell(_offline == OfflineState.Released ? ConfirmUpgrade() : StartOffline());
                break;
            case ["cancel-shutdown"]:
                Sender.Tell(_offline == OfflineState.Released ? ResumeController("cancel-shutdown") : CancelShutdown());
                break;
            case ["process"]:
                Sender.Tell(ProcessInfo());
                break;
            case ["release-controller"]:
                Sender.Tell(ReleaseController());
                break;
            case ["force-quit-all"]:
                Sender.Tell(ServerWords.ForceQuitAll(Context.System, Servers));
                break;
            case ["force-quit", var server]:
                Sender.Tell(ServerWords.ForceQuit(server, _config, Context.System, Servers));
                break;
            case ["server", var server, "status"]:
                Pipe(ServerWords.StatusAsync(server, _config, _services, Context.System, Servers));
                break;
            case ["escaper", var escaper, "publish", var data]:
                Pipe(EscaperWords.PublishAsync(escaper, data, _config, Context.System, Escapers));
                break;
            case ["escaper", var escaper, "published"]:
                Pipe(EscaperWords.PublishedAsync(escaper, _config, Context.System, Escapers));
                break;
            case ["resolver", var resolver, "query", .. var rest]:
                Pipe(ResolverWords.QueryAsync(resolver, rest, _config, _services.Resolvers));
                break;
            case ["user-group", var group, "list-static-user"]:
                Sender.Tell(UserGroupWords.List(group, dynamic: false, _config, _services.UserGroups));
                break;
            case ["user-group", var group, "list-dynamic-user"]:
                Sender.Tell(UserGroupWords.List(group, dynamic: true, _config, _services.UserGroups));
                break;
            case ["user-group", var group, "publish-user", var json]:
                Pipe(UserGroupWords.PublishAsync(group, json, _config, Context.System, Guardian.Path / "user-groups"));
                break;
            case ["cluster", "show"]:
                Sender.Tell(ClusterWords.Show(Cluster));
                break;
            case ["cluster", "relays"]:
                Sender.Tell(ClusterWords.Relays(Cluster));
                break;
            case ["cluster", "leave", var member]:
                Sender.Tell(ClusterWords.Leave(member, Cluster));
                break;
            case ["cluster", "down", var member]:
                Sender.Tell(ClusterWords.Down(member, Cluster));
                break;
            case ["route", "set", var region, var kind, var pattern]:
                Pipe(RouteWords.SetAsync(region, kind, pattern, Cluster));
                break;
            case ["route", "remove", var kind, var pattern]:
                Pipe(RouteWords.RemoveAsync(kind, pattern, Cluster));
                break;
            case ["route", "list"]:
                Sender.Tell(RouteWords.List(Cluster));
                break;
            case ["actor", "hierarchy"]:
                Sender.Tell(ActorHierarchy.Print(Context.System));
                break;
            default:
                Sender.Tell(ControlReply.Fail($"unknown command '{string.Join(' ', words)}' (try: help)"));
                break;
        }
    }

    private ControlCluster Cluster => _hooks.ClusterOrEmpty;
    private ActorPath Servers => Guardian.Path / "servers";
    private ActorPath Escapers => Guardian.Path / "escapers";

    private void Pipe(Task<ControlReply> work) =>
        work.PipeTo(Sender, failure: e => ControlReply.Fail(e.GetBaseException().Message));

    private void Reload(string? family, string? name)
    {
        var replyTo = Sender;
        ReloadWord.RunAsync(family, name, _config, Guardian)
            .PipeTo(Self, success: r => new ReloadFinished(r.Config, r.Reply, replyTo),
                failure: e => new ReloadFinished(null, ControlReply.Fail(e.GetBaseException().Message), replyTo));
    }
}
