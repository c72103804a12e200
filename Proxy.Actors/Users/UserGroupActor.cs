using Akka.Actor;
using Akka.Event;
using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Handles;
using Proxy.Actors.Users.Sources;

namespace Proxy.Actors.Users;

/// <summary>
/// Owns one user group (<c>/user/node/user-groups/NAME</c>): publishes its handle, refreshes the dynamic
/// users from the source every refresh_interval (the first fetch at once), takes published users, and
/// keeps the last good set when a fetch fails (logging why). Good sets are written to the cache file.
/// </summary>
public sealed class UserGroupActor : HandleOwnerActor<IUserGroup>, IWithTimers
{
    /// <summary>Replace the dynamic users with this JSON array (g3's publish-user); answered with <see cref="PublishUsersResult"/>.</summary>
    public sealed record PublishUsers(string Json);
    public sealed record PublishUsersResult(bool Ok, string? Error);

    /// <summary>Fetch from the source now (the timer sends it too); answered with <see cref="RefreshResult"/> when asked.</summary>
    public sealed record Refresh;
    public sealed record RefreshResult(bool Ok, string? Error);

    private sealed record Applied(UserFetch Fetch, IActorRef? ReplyTo, bool Published);

    private readonly UserGroupConfig _config;
    private readonly IReadOnlyList<UserConfig>? _carried;
    private readonly TimeProvider _time;
    private readonly IUserSource? _source;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();
    private UserTable? _table;
    private IUserGroup? _group;
    private bool _fetching;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="carried">A reload's dynamic users from the group it replaces; else the initial file (cache) is read.</param>
    public UserGroupActor(UserGroupConfig config, HandleRegistry<IUserGroup> registry, TimeProvider time, IActorRef guardian,
        IReadOnlyList<UserConfig>? carried = null)
        : base("user_group", config.Name, registry, guardian)
    {
        _carried = carried;
        _config = config;
        _time = time;
        _source = UserGroupFactory.Source(config);
        Receive<Refresh>(_ => StartFetch(Sender));
        Receive<PublishUsers>(p => Publish(p.Json, Sender));
        Receive<Applied>(OnApplied);
    }

    public static Props Props(UserGroupConfig config, HandleRegistry<IUserGroup> registry, TimeProvider time, IActorRef guardian,
        IReadOnlyList<UserConfig>? carried = null) =>
        Akka.Actor.Props.Create(() => new UserGroupActor(config, registry, time, guardian, carried));

    protected override IUserGroup Build()
    {
        // a reload: the group it replaces is still published, and its users that stay keep their counters
        var previous = Registry.TryGet(_config.Name, out var running) ? UsersOf(running) : null;
        _table = UserTable.Create(_config, _time, _carried ?? InitialUsers(), previous);
        previous?.RetireLeavers(_table);
        _group = UserGroupFactory.Create(_config, _table, _time);
        return _group;
    }

    private static UserTable? UsersOf(IUserGroup group) => group switch
    {
        BasicUserGroup basic => basic.Users,
        Ldap.LdapUserGroup ldap => ldap.Users,
        _ => null,
    };

    protected override void PreStart()
    {
        base.PreStart();
        if (_source is null) return;
        // The first fetch starts here, not on a timer tick: a tick due "now" can come after a
        // publish on a busy machine, and that fetch would then replace what was published.
        StartFetch(Self);
        Timers.StartPeriodicTimer("refresh", new Refresh(), _config.RefreshInterval, _config.RefreshInterval);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
        // still published: a reload replaces this group and its successor decides who stays
        if (!Registry.TryGet(_config.Name, out _)) _table?.RetireLeavers(null);
    }

    private IReadOnlyList<UserConfig> InitialUsers()
    {
        if (UserGroupFactory.InitialFile(_config) is not { } path || !File.Exists(path)) return [];
        try
        {
            var parsed = DynamicUsersParser.Parse(File.ReadAllText(path), path, _config.Name);
            if (parsed.Ok) return parsed.Users;
            _log.Warning("user group {0}: initial users in {1} refused: {2}", _config.Name, path, parsed.ErrorText);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("user group {0}: cannot read initial users from {1}: {2}", _config.Name, path, e.Message);
        }
        return [];
    }

    private void StartFetch(IActorRef sender)
    {
        var replyTo = sender.IsNobody() || sender.Equals(Self) ? null : sender;
        if (_source is null)
        {
            replyTo?.Tell(new RefreshResult(false, "the group has no dynamic source"));
            return;
        }
        if (_fetching)
        {
            replyTo?.Tell(new RefreshResult(false, "a fetch is already running"));
            return;
        }
        _fetching = true;
        FetchAndCacheAsync(_source).PipeTo(Self, success: f => new Applied(f, replyTo, false),
            failure: e => new Applied(UserFetch.Failed(e.Message), replyTo, false));
    }

    private void Publish(string json, IActorRef replyTo)
    {
        var fetch = UserFetchParser.Parse(json, "published", _config.Name);
        if (!fetch.Ok)
        {
            replyTo.Tell(new PublishUsersResult(false, fetch.Error));
            return;
        }
        CacheAsync(fetch).PipeTo(Self, success: f => new Applied(f, replyTo, true),
            failure: e => new Applied(UserFetch.Failed(e.Message), replyTo, true));
    }

    private async Task<UserFetch> FetchAndCacheAsync(IUserSource source) =>
        await CacheAsync(await source.FetchAsync(_stopping.Token).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>As g3: a good set goes to the cache file first; a cache write failure is logged, the set still applies.</summary>
    private async Task<UserFetch> CacheAsync(UserFetch fetch)
    {
        if (!fetch.Ok || _config.CacheFile is not { } cache || fetch.Contents is null) return fetch;
        try { await UserCacheFile.WriteAsync(cache, fetch.Contents, _stopping.Token).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("user group {0}: failed to cache dynamic users to {1}: {2}", _config.Name, cache, e.Message);
        }
        return fetch;
    }

    private void OnApplied(Applied a)
    {
        if (!a.Published) _fetching = false;
        if (a.Fetch.Ok)
        {
            var before = _table!;
            _table = before.WithDynamic(a.Fetch.Users);
            before.RetireLeavers(_table);
            _group = UserGroupFactory.WithUsers(_group!, _table);
            Replace(_group);
        }
        else
        {
            _log.Warning("user group {0}: failed to {1} dynamic users, keeping the last good set: {2}",
                _config.Name, a.Published ? "publish" : "fetch", a.Fetch.Error);
        }
        a.ReplyTo?.Tell(a.Published ? new PublishUsersResult(a.Fetch.Ok, a.Fetch.Error) : new RefreshResult(a.Fetch.Ok, a.Fetch.Error));
    }
}
