using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Users;

namespace Proxy.Tests.Users;

public sealed class UserNameIndexTests
{
    private static User U(string name, string group = "g") =>
        new(name, group, UserKind.Static, new UserConfig { Name = name }, TimeProvider.System);

    [Fact]
    public void EveryUserIsFound_ByItsWholeName_AndNoOtherNameIs()
    {
        var users = Enumerable.Range(1, 5000).Select(i => U($"u{i}")).ToList();
        var index = new UserNameIndex(users);
        foreach (var user in users) Assert.Same(user, index.Find(user.Name));
        foreach (var name in new[] { "", "u", "u0", "u5001", "U1", "u1 ", "u10000", "u1\0", "ü1" })
            Assert.Null(index.Find(name));
        Assert.Same(users[41], index.Find("xu42".AsSpan(1)));
    }

    [Fact]
    public void TheFirstUserOfAName_Wins()
    {
        var first = U("a", "static");
        var index = new UserNameIndex([first, U("b"), U("a", "dynamic")]);
        Assert.Same(first, index.Find("a"));
        Assert.Equal("b", index.Find("b")!.Name);
    }

    [Fact]
    public void AnEmptyIndex_FindsNothing() => Assert.Null(new UserNameIndex([]).Find("a"));
}
