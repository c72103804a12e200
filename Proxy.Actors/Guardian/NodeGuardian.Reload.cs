using Akka.Actor;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Escapers;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Servers;
using Proxy.Actors.Users;

namespace Proxy.Actors.Guardian;

/// <summary>
/// Reload while running (g3's SIGHUP and reload-* words): objects are reconciled by name. A
/// resolver or escaper is replaced by a fresh owner built from the new config, the old handle
/// staying published until the new one overwrites it; a server reconfigures in place (its socket
/// kept when <c>listen</c> did not change); new names are started, removed ones stopped (a removed
/// server stops accepting and ends once its connections are done).
/// </summary>
public sealed partial class NodeGuardian
{
    /// <summary>How long a reload waits for new handles and servers before answering with what is missing.</summary>
    private static readonly TimeSpan ReloadWait = TimeSpan.FromSeconds(10);

    private sealed record ReloadTimedOut(long Job);

    private sealed class ReloadJob(long id, IActorRef replyTo)
    {
        public long Id { get; } = id;
        public IActorRef ReplyTo { get; } = replyTo;
        public HashSet<string> Pending { get; } = new();
        public List<string> Done { get; } = new();
        public List<string> Errors { get; } = new();
    }

    private readonly List<ReloadJob> _reloads = new();
    private long _nextReload;

    /// <summary>Counters live per name in NodeServices, so a rebuilt owner counts on into the same object.</summary>
    private Props ResolverOwner(ResolverConfig cfg)
    {
        var stats = _services.ResolverStats.GetOrAdd(cfg.Name, _ => new Stats.ResolverStats());
        return Akka.Actor.Props.Create(() => new ResolverActor(cfg, _services.Resolvers, _services.Time, Self, stats, _services.Logger));
    }

    private Props EscaperOwner(EscaperConfig cfg)
    {
        var stats = _services.EscaperStats.GetOrAdd(cfg.Name, _ => new Stats.EscaperStats());
        return Akka.Actor.Props.Create(() => new EscaperActor(cfg, _services.Escapers, _services.Resolvers, _services.Time, Self, stats));
    }

    /// <summary>A reloaded group keeps the dynamic users it has now (published or fetched), as g3's reload does; a source fetches anew.</summary>
    private Props UserGroupOwner(Config.UserGroups.UserGroupConfig cfg)
    {
        var carried = _services.UserGroups.TryGet(cfg.Name, out var running) ? running.DynamicUsers : null;
        return UserGroupActor.Props(cfg, _services.UserGroups, _services.Time, Self, carried);
    }

    private void ReloadReceives()
    {
        Receive<ReloadMessages.Reload>(StartReload);
        Receive<HandlePublished>(p => Settle(p.Family + "/" + p.Name, null));
        Receive<ServerControl.Reconfigured>(r => Settle("server/" + r.Name, r.Error));
        Receive<NodeMessages.ServerBound>(b => Settle("server/" + b.Name, null));
        Receive<NodeMessages.ServerFailed>(f =>
        {
            Settle("server/" + f.Name, f.Error);
            _servers.Tell(new FamilyActor.StopChild(Uri.EscapeDataString(f.Name)));
        });
        Receive<FamilyActor.NoChild>(n => Settle("server/" + Uri.UnescapeDataString(n.Name), "server actor is not running"));
        Receive<NodeMessages.ServerIdle>(i =>
        {
            // Only a server a reload removed is told to stop accepting while the node runs.
            if (!_config.Servers.Any(s => s.Name == i.Name)) _servers.Tell(new FamilyActor.StopChild(Uri.EscapeDataString(i.Name)));
        });
        Receive<ReloadTimedOut>(t =>
        {
            var job = _reloads.Find(j => j.Id == t.Job);
            if (job is null) return;
            foreach (var key in job.Pending) job.Errors.Add($"{key}: not ready within {ReloadWait.TotalSeconds:0}s (it keeps retrying)");
            job.Pending.Clear();
            Finish(job);
        });
    }

    private void StartReload(ReloadMessages.Reload r)
    {
        var job = new ReloadJob(++_nextReload, Sender);
        var next = r.Config;
        var all = r.Family is null;
        var resolvers = _config.Resolvers;
        var escapers = _config.Escapers;
        var servers = _config.Servers;
        var userGroups = _config.UserGroups;
        if (all || r.Family == "resolver")
            resolvers = Reconcile(job, "resolver", resolvers, next.Resolvers, r.Name, c => c.Name,
                (cfg, _) => _resolvers.Tell(new FamilyActor.Replace(Uri.EscapeDataString(cfg.Name), UnderBackoff(ResolverOwner(cfg)), HandleRetire.Instance)),
                name => _resolvers.Tell(new FamilyActor.StopChild(Uri.EscapeDataString(name))));
        if (all || r.Family == "escaper")
            escapers = Reconcile(job, "escaper", escapers, next.Escapers, r.Name, c => c.Name,
                (cfg, _) => _escapers.Tell(new FamilyActor.Replace(Uri.EscapeDataString(cfg.Name), UnderBackoff(EscaperOwner(cfg)), HandleRetire.Instance)),
                name => _escapers.Tell(new FamilyActor.StopChild(Uri.EscapeDataString(name))));
        if (all || r.Family == "user-group")
            userGroups = Reconcile(job, "user_group", userGroups, next.UserGroups, r.Name, c => c.Name,
                (cfg, _) => _userGroups.Tell(new FamilyActor.Replace(Uri.EscapeDataString(cfg.Name), UnderBackoff(UserGroupOwner(cfg)), HandleRetire.Instance)),
                name => _userGroups.Tell(new FamilyActor.StopChild(Uri.EscapeDataString(name))));
        if (all || r.Family == "server")
            servers = Reconcile(job, "server", servers, next.Servers, r.Name, c => c.Name, ApplyServer,
                name => _servers.Tell(new FamilyActor.Forward(Uri.EscapeDataString(name), NodeMessages.StopAccepting.Instance, Self)));
        _config = _config with { Resolvers = resolvers, Escapers = escapers, UserGroups = userGroups, Servers = servers };
        if (job.Pending.Count == 0)
        {
            Finish(job);
            return;
        }
        _reloads.Add(job);
        Timers.StartSingleTimer("reload-" + job.Id, new ReloadTimedOut(job.Id), ReloadWait);
    }

    private void ApplyServer(ServerConfig cfg, bool running)
    {
        if (running)
        {
            _servers.Tell(new FamilyActor.Forward(Uri.EscapeDataString(cfg.Name), new ServerControl.Reconfigure(cfg), Self));
            return;
        }
        var stats = _services.ServerStats.GetOrAdd(cfg.Name, _ => new Stats.ServerStats());
        _servers.Tell(new FamilyActor.Spawn(Uri.EscapeDataString(cfg.Name), ServerActor.Props(cfg, _services.ServerDeps, stats, Self)));
    }

    /// <summary>
    /// Applies one family's part of a reload and returns its new list: just <paramref name="only"/>
    /// when a name is given, else every name (new ones started, missing ones removed).
    /// </summary>
    private static IReadOnlyList<T> Reconcile<T>(ReloadJob job, string family, IReadOnlyList<T> current, IReadOnlyList<T> next,
        string? only, Func<T, string> name, Action<T, bool> apply, Action<string> remove)
    {
        var running = current.Select(name).ToHashSet(StringComparer.Ordinal);
        if (only is not null)
        {
            var wanted = next.FirstOrDefault(c => name(c) == only);
            if (wanted is null)
            {
                job.Errors.Add($"no {family} '{only}' in the config");
                return current;
            }
            job.Pending.Add(family + "/" + only);
            apply(wanted, running.Contains(only));
            return running.Contains(only)
                ? current.Select(c => name(c) == only ? wanted : c).ToList()
                : current.Append(wanted).ToList();
        }
        foreach (var cfg in next)
        {
            job.Pending.Add(family + "/" + name(cfg));
            apply(cfg, running.Contains(name(cfg)));
        }
        var kept = next.Select(name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in running.Where(n => !kept.Contains(n)))
        {
            remove(gone);
            job.Done.Add($"{family}/{gone} removed");
        }
        return next;
    }

    private void Settle(string key, string? error)
    {
        foreach (var job in _reloads.ToList())
        {
            if (!job.Pending.Remove(key)) continue;
            if (error is null) job.Done.Add(key);
            else job.Errors.Add($"{key}: {error}");
            if (job.Pending.Count == 0) Finish(job);
        }
    }

    private void Finish(ReloadJob job)
    {
        _reloads.Remove(job);
        Timers.Cancel("reload-" + job.Id);
        job.ReplyTo.Tell(new ReloadMessages.Reloaded(job.Done, job.Errors));
    }
}
