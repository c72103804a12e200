using Akka.Actor;
using Akka.Event;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Guardian;

namespace Proxy.Actors.Stats;

/// <summary>
/// /user/node/stats: every <c>emit_interval</c> samples the node's counters (plain fields the
/// data plane updates) and sends them as StatsD datagrams. No message per request reaches it;
/// its only input is its own timer. Emits a last time when it stops.
/// </summary>
public sealed class StatsActor : ReceiveActor, IWithTimers
{
    public const string Name = "stats";

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private readonly StatConfig _config;
    private readonly StatsEmitter _emitter;
    private readonly string _daemonGroup;
    private StatsdSender? _sender;
    private StatsdBatch? _batch;

    public ITimerScheduler Timers { get; set; } = null!;

    public StatsActor(StatConfig config, ProxyConfig proxy, NodeServices services)
    {
        _config = config;
        _emitter = new StatsEmitter(services, proxy);
        _daemonGroup = services.Logger.DaemonName;
        Receive<Tick>(_ => Emit());
    }

    public static Props Props(StatConfig config, ProxyConfig proxy, NodeServices services) =>
        Akka.Actor.Props.Create(() => new StatsActor(config, proxy, services));

    protected override void PreStart()
    {
        _sender = StatsdSender.Open(_config);
        var sender = _sender;
        _batch = new StatsdBatch(_config.Prefix, [new("daemon_group", _daemonGroup)],
            _config.MaxSegmentSize ?? sender.DefaultSegmentSize, _config.CacheSize, sender.Send);
        Timers.StartPeriodicTimer("emit", Tick.Instance, _config.EmitInterval);
        Context.GetLogger().Info("statsd: emitting every {0} to {1}", _config.EmitInterval,
            _config.TargetUnix is { } unix && _config.TargetUdp is null ? unix : _config.TargetUdp ?? "127.0.0.1:8125");
    }

    protected override void PostStop()
    {
        // The counts since the last tick would otherwise be lost with the process.
        Emit();
        _sender?.Dispose();
    }

    private void Emit()
    {
        if (_batch is not null) _emitter.Emit(_batch);
    }
}
