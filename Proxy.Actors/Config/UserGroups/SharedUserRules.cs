using Proxy.Actors.Config.Acl;

namespace Proxy.Actors.Config.UserGroups;

/// <summary>
/// One compiled <c>dst_host_filter_set</c> for the users of one load whose sets have the same rules:
/// groups of thousands of users often give them all the same filter, and a set per user costs its
/// lookup tables and regexes a thousand times over, and a cold cache line on every request of a
/// different user. Sets that differ in any rule, order or default stay apart (<see cref="HostAclRuleSet.ContentKey"/>).
/// </summary>
internal sealed class SharedUserRules
{
    private readonly Dictionary<string, HostAclRuleSet> _hostSets = new(StringComparer.Ordinal);

    /// <summary><paramref name="user"/>, with the set an earlier user of this load has when it has the same rules.</summary>
    public UserConfig Share(UserConfig user)
    {
        if (user.DstHostFilterSet is not { } set) return user;
        var key = set.ContentKey();
        if (_hostSets.TryGetValue(key, out var shared))
            return ReferenceEquals(shared, set) ? user : user with { DstHostFilterSet = shared };
        _hostSets.Add(key, set);
        return user;
    }
}
