using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Stats;
using Proxy.Actors.Users;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Users;

/// <summary>
/// A user's counters across its group's changes: a reload keeps the objects of the users that stay,
/// the users that leave are retired, and a retired user's objects may go only once nothing of it runs.
/// </summary>
public sealed class UserStatsHolderTests
{
    private readonly ManualTimeProvider _time = new();

    private static string Users(params string[] names) =>
        "    static_users:\n" + string.Concat(names.Select(n => $"      - {{name: {n}, token: ~}}\n"));

    [Fact]
    public void Reload_KeepsTheCountersOfUsersThatStay_AndRetiresTheOthers()
    {
        var before = UserTable.Create(GroupYaml.Load(Users("stay", "go")), _time);
        var stay = before.Find("stay")!;
        var go = before.Find("go")!;

        var after = UserTable.Create(GroupYaml.Load(Users("stay", "new")), _time, previous: before);
        before.RetireLeavers(after);

        Assert.Same(stay.Stats, after.Find("stay")!.Stats);
        Assert.False(stay.Stats.Retired);
        Assert.True(go.Stats.Retired);
        Assert.False(after.Find("new")!.Stats.Retired);
    }

    [Fact]
    public void NewDynamicSet_RetiresTheDynamicUsersLeftOut_AndAGroupRemovedRetiresAll()
    {
        var config = GroupYaml.Load(Users("s"));
        var table = UserTable.Create(config, _time, [new() { Name = "a" }, new() { Name = "b" }]);
        var a = table.Find("a")!;
        var b = table.Find("b")!;

        var next = table.WithDynamic([new() { Name = "a" }]);
        table.RetireLeavers(next);
        Assert.False(a.Stats.Retired);
        Assert.Same(a.Stats, next.Find("a")!.Stats);
        Assert.True(b.Stats.Retired);

        next.RetireLeavers(null);
        Assert.True(next.Find("s")!.Stats.Retired);
        Assert.True(a.Stats.Retired);
    }

    [Fact]
    public void RetiredUser_IsDroppableOnlyOnceItsRequestsAndConnectionsEnded_AndForgottenObjectsAreMadeAnew()
    {
        var server = new ServerStats();
        var holder = new UserStatsHolder("g", "u", UserKind.Dynamic);
        var stats = holder.ForServer(server, null);
        IUserStatsOwner owner = holder;
        stats.RequestStarted(UserRequestType.HttpForward);
        stats.L7Opened();

        Assert.False(owner.Droppable); // still in its group
        holder.Retire();
        Assert.False(owner.Droppable); // a request runs
        stats.RequestEnded(UserRequestType.HttpForward);
        Assert.False(owner.Droppable); // its HTTP connection is open
        stats.L7Closed();
        Assert.True(owner.Droppable);

        owner.Forget(stats);
        Assert.NotSame(stats, holder.ForServer(server, null));
    }

    [Fact]
    public void AUser_RemembersItsLastCounters_UntilItsHolderForgetsThem()
    {
        var server = new ServerStats();
        var escaper = new EscaperStats();
        var user = new User("u", "g", UserKind.Dynamic, new UserConfig { Name = "u" }, TimeProvider.System);
        var stats = user.ForServer(server, null);
        var up = user.ForEscaper(escaper, null);
        Assert.Same(stats, user.ForServer(server, null));
        Assert.Same(up, user.ForEscaper(escaper, null));

        IUserStatsOwner owner = user.Stats;
        owner.Forget(stats);
        owner.Forget(up);
        var again = user.ForServer(server, null);
        Assert.NotSame(stats, again);
        Assert.Contains(again, server.Users.Keys); // registered anew, so its counts are emitted
        Assert.NotSame(up, user.ForEscaper(escaper, null));

        var other = new ServerStats();
        Assert.Same(user.Stats.ForServer(other, null), user.ForServer(other, null));
        Assert.Same(again, user.ForServer(server, null));
    }
}
