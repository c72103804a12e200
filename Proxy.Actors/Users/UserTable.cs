using System.Collections.Frozen;
using System.Net;
using Proxy.Actors.Config.UserGroups;

namespace Proxy.Actors.Users;

/// <summary>
/// The users of one group at one moment: static users, the current dynamic set and the anonymous user,
/// plus the facts index. Immutable; <see cref="WithDynamic"/> makes the next table, keeping the
/// <see cref="User"/> objects (and their counters) of users that stay.
/// </summary>
public sealed class UserTable
{
    private readonly FrozenDictionary<string, User> _static;
    private readonly FrozenDictionary<string, User> _dynamic;
    private readonly UserNameIndex _byName;
    private readonly (IPNetwork Net, User User)[] _nets;
    private readonly FrozenDictionary<string, User> _exactDomains;
    private readonly (string Domain, User User)[] _childDomains;
    private readonly TimeProvider _time;

    private readonly UserOrdinals _ordinals;

    private UserTable(string group, TimeProvider time, UserOrdinals ordinals, FrozenDictionary<string, User> @static, FrozenDictionary<string, User> dynamic, User? anonymous)
    {
        Group = group;
        _time = time;
        _ordinals = ordinals;
        _static = @static;
        _dynamic = dynamic;
        Anonymous = anonymous;
        // a static user shadows a dynamic one of the same name
        var all = _static.Values.Concat(_dynamic.Values.Where(u => !_static.ContainsKey(u.Name))).ToList();
        _byName = new UserNameIndex(all);
        _nets = all.SelectMany(u => u.Config.MatchByFacts.Where(f => f.Network is not null).Select(f => (f.Network!.Value, u)))
            .OrderByDescending(x => x.Item1.PrefixLength).ToArray();
        var exact = new Dictionary<string, User>(StringComparer.Ordinal);
        foreach (var u in all)
            foreach (var f in u.Config.MatchByFacts.Where(f => f.Kind == FactsMatchKind.ExactDomain))
                exact.TryAdd(f.Domain!, u);
        _exactDomains = exact.ToFrozenDictionary(StringComparer.Ordinal);
        _childDomains = all.SelectMany(u => u.Config.MatchByFacts.Where(f => f.Kind == FactsMatchKind.ChildDomain).Select(f => (f.Domain!, u)))
            .OrderByDescending(x => x.Item1.Length).ToArray();
    }

    public string Group { get; }
    public User? Anonymous { get; }
    public IReadOnlyCollection<string> StaticNames => _static.Keys;
    public IReadOnlyCollection<string> DynamicNames => _dynamic.Keys;
    /// <summary>The dynamic users' configs, carried into a reloaded group.</summary>
    public IReadOnlyList<UserConfig> DynamicConfigs => _dynamic.Values.Select(u => u.Config).ToList();

    /// <param name="previous">The table of the group this one reloads: users that stay are rebuilt from theirs (counters, limiters, block flag kept), as g3's reload.</param>
    public static UserTable Create(UserGroupConfig config, TimeProvider time, IEnumerable<UserConfig>? dynamic = null, UserTable? previous = null)
    {
        var ordinals = previous?._ordinals ?? new UserOrdinals();
        // keyed by the user's own copy of its name (User.Name), which the lookup compares
        var statics = config.StaticUsers.Values
            .Select(u => previous?._static.GetValueOrDefault(u.Name) is { } old ? old.Rebuild(u, UserKind.Static) : new User(u.Name, config.Name, UserKind.Static, u, time, ordinals))
            .ToFrozenDictionary(u => u.Name, StringComparer.Ordinal);
        var anonymous = config.AnonymousUser is not { } a ? null
            : previous?.Anonymous is { } oldAnonymous && oldAnonymous.Name == a.Name ? oldAnonymous.Rebuild(a, UserKind.Anonymous)
            : new User(a.Name, config.Name, UserKind.Anonymous, a, time, ordinals);
        return new UserTable(config.Name, time, ordinals, statics, Dynamic(config.Name, time, ordinals, dynamic ?? [], previous?._dynamic ?? NoUsers), anonymous);
    }

    /// <summary>Every user of the table (static, dynamic, anonymous).</summary>
    public IEnumerable<User> All =>
        _static.Values.Concat(_dynamic.Values).Concat(Anonymous is null ? [] : [Anonymous]);

    /// <summary>
    /// The users of this table that <paramref name="next"/> does not keep leave the group: their counters
    /// are emitted a last time and dropped once nothing of them runs (null <paramref name="next"/>: all leave).
    /// </summary>
    public void RetireLeavers(UserTable? next)
    {
        var kept = next?.All.Select(u => u.Stats).ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var user in All)
            if (kept is null || !kept.Contains(user.Stats)) user.Stats.Retire();
    }

    /// <summary>The same static and anonymous users with a new dynamic set (last entry of a name wins).</summary>
    public UserTable WithDynamic(IEnumerable<UserConfig> dynamic) =>
        new(Group, _time, _ordinals, _static, Dynamic(Group, _time, _ordinals, dynamic, _dynamic), Anonymous);

    private static readonly FrozenDictionary<string, User> NoUsers = FrozenDictionary.ToFrozenDictionary(new Dictionary<string, User>(), StringComparer.Ordinal);

    private static FrozenDictionary<string, User> Dynamic(string group, TimeProvider time, UserOrdinals ordinals, IEnumerable<UserConfig> configs, FrozenDictionary<string, User> previous)
    {
        // the last entry of a name wins; then, as for static users, keyed by the user's own copy of its name
        var last = new Dictionary<string, UserConfig>(StringComparer.Ordinal);
        foreach (var c in configs) last[c.Name] = c;
        return last.Values
            .Select(c => previous.TryGetValue(c.Name, out var old) ? old.Rebuild(c, UserKind.Dynamic) : new User(c.Name, group, UserKind.Dynamic, c, time, ordinals))
            .ToFrozenDictionary(u => u.Name, StringComparer.Ordinal);
    }

    /// <summary>g3's get_user without the anonymous fallback: static first (it shadows a dynamic one), then dynamic.</summary>
    public User? Find(string name) => _byName.Find(name);

    /// <summary><see cref="Find(string)"/> for a name still in a buffer (no string made per request).</summary>
    public User? Find(ReadOnlySpan<char> name) => _byName.Find(name);

    /// <summary>The facts group's pick: an exact IP or the smallest net holding it; an exact domain or the longest parent.</summary>
    public User? MatchFacts(IPAddress? ip, string? serverName)
    {
        if (ip is not null)
        {
            if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
            foreach (var (net, user) in _nets)
                if (net.Contains(ip)) return user;
        }
        if (serverName is not null)
        {
            var host = serverName.TrimEnd('.').ToLowerInvariant();
            if (_exactDomains.TryGetValue(host, out var exact)) return exact;
            foreach (var (domain, user) in _childDomains)
                if (host == domain || host.EndsWith("." + domain, StringComparison.Ordinal)) return user;
        }
        return null;
    }
}
