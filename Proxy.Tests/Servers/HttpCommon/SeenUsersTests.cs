using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Servers.HttpCommon;
using Proxy.Actors.Users;
using Proxy.Tests.Resolvers;
using Proxy.Tests.Users;

namespace Proxy.Tests.Servers.HttpCommon;

public sealed class SeenUsersTests
{
    private readonly ManualTimeProvider _time = new();

    private UserTable Table(int users, UserTable? previous = null)
    {
        var body = "    static_users:\n" + string.Concat(Enumerable.Range(1, users).Select(i => $"      - {{name: u{i}}}\n"));
        return UserTable.Create(GroupYaml.Load(body), _time, previous: previous);
    }

    [Fact]
    public void EachUser_IsFirstOnce_AmongManyTakingTurns()
    {
        var table = Table(200);
        var seen = new SeenUsers();
        var firsts = 0;
        for (var round = 0; round < 3; round++)
            for (var i = 1; i <= 200; i++)
                if (seen.FirstTime(table.Find($"u{i}")!)) firsts++;
        Assert.Equal(200, firsts);
    }

    [Fact]
    public void AReloadedUser_KeepsItsNumber_SoItIsNotFirstAgain()
    {
        var before = Table(3);
        var seen = new SeenUsers();
        Assert.True(seen.FirstTime(before.Find("u2")!));
        var after = Table(4, before);
        Assert.Equal(before.Find("u2")!.Ordinal, after.Find("u2")!.Ordinal);
        Assert.False(seen.FirstTime(after.Find("u2")!));
        Assert.True(seen.FirstTime(after.Find("u4")!));
        Assert.Equal(4, new[] { "u1", "u2", "u3", "u4" }.Select(n => after.Find(n)!.Ordinal).Distinct().Count());
    }

    [Fact]
    public void AnotherGroupsNumbers_AndUnnumberedUsers_AreToldApart()
    {
        var one = Table(2);
        var other = Table(2);
        var seen = new SeenUsers();
        Assert.True(seen.FirstTime(one.Find("u1")!));
        // the same number in another group is another user
        Assert.Equal(one.Find("u1")!.Ordinal, other.Find("u1")!.Ordinal);
        Assert.True(seen.FirstTime(other.Find("u1")!));
        // an LDAP unmanaged user has no number: remembered by name
        var unmanaged = new User("ldap-x", "g", UserKind.Unmanaged, new UserConfig { Name = "ldap-x" }, _time);
        Assert.Equal(-1, unmanaged.Ordinal);
        Assert.True(seen.FirstTime(unmanaged));
        Assert.False(seen.FirstTime(new User("ldap-x", "g", UserKind.Unmanaged, new UserConfig { Name = "ldap-x" }, _time)));
    }

    [Fact]
    public void AVeryLargeNumber_IsRememberedByName_SoTheBitsStayBounded()
    {
        var ordinals = new UserOrdinals();
        for (var i = 0; i < SeenUsers.MaxNumbered; i++) ordinals.Next();
        var late = new User("late", "g", UserKind.Dynamic, new UserConfig { Name = "late" }, _time, ordinals);
        Assert.Equal(SeenUsers.MaxNumbered, late.Ordinal);
        var seen = new SeenUsers();
        Assert.True(seen.FirstTime(late));
        Assert.False(seen.FirstTime(late));
        Assert.Equal(0, seen.Words);
    }
}
