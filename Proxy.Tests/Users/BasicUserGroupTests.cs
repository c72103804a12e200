using System.Net;
using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Users;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Users;

public sealed class BasicUserGroupTests
{
    private const string Toor = "{salt: 4e8f8a4e37f0fa1b, md5: d9d963915b9815d4cc39c196c2868900, sha1: c28640e7b1a3d9db98187632aeba99c0cff0ffd4}";
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");
    private readonly ManualTimeProvider _time = new();

    private BasicUserGroup Group(string body, IEnumerable<UserConfig>? dynamic = null)
    {
        var config = GroupYaml.Load(body);
        return new BasicUserGroup(config, UserTable.Create(config, _time, dynamic));
    }

    private static UserConfig Dynamic(string name) =>
        new() { Name = name, Token = Proxy.Actors.Users.Tokens.XCryptToken.TryParse("$1$rnfSARNK$DJNIbbMpjjSmral92rE3k1", out _)! };

    private static async Task<AuthResult> Auth(IUserGroup g, string? user, string? pass, IPAddress? client = null) =>
        await g.AuthenticateAsync(user, pass, client ?? Client, CancellationToken.None);

    [Fact]
    public async Task StaticUser_RightPassword_Ok_WrongPassword_Fails()
    {
        var g = Group($"    static_users:\n      - {{name: root, token: {Toor}}}\n");
        var ok = await Auth(g, "root", "toor");
        Assert.Equal(AuthStatus.Ok, ok.Status);
        Assert.Equal(("root", UserKind.Static), (ok.User!.Name, ok.User.Kind));
        Assert.Equal(AuthStatus.WrongPassword, (await Auth(g, "root", "toot")).Status);
        Assert.Equal(AuthStatus.WrongPassword, (await Auth(g, "root", null)).Status);
    }

    [Fact]
    public async Task UnknownName_FallsToAnonymous_KnownNameWithWrongPassword_DoesNot()
    {
        var g = Group($"    static_users:\n      - {{name: root, token: {Toor}}}\n    anonymous_user: {{name: anon}}\n");
        var unknown = await Auth(g, "nobody", "whatever");
        Assert.Equal((AuthStatus.Ok, UserKind.Anonymous), (unknown.Status, unknown.User!.Kind));
        var none = await Auth(g, null, null);
        Assert.Equal((AuthStatus.Ok, "anon"), (none.Status, none.User!.Name));
        Assert.Equal(AuthStatus.WrongPassword, (await Auth(g, "root", "bad")).Status);
    }

    [Fact]
    public async Task WithoutAnonymous_UnknownName_And_NoCredentials_Fail()
    {
        var g = Group($"    static_users:\n      - {{name: root, token: {Toor}}}\n");
        Assert.Equal(AuthStatus.UnknownUser, (await Auth(g, "nobody", "toor")).Status);
        Assert.Equal(AuthStatus.NoCredentials, (await Auth(g, null, null)).Status);
    }

    [Fact]
    public async Task Static_ShadowsDynamic_ThenDynamicIsFound()
    {
        var g = Group("    static_users:\n      - {name: both, token: {salt: 0000000000000000, md5: 00000000000000000000000000000000}}\n",
            [Dynamic("both"), Dynamic("dyn")]);
        Assert.Equal(AuthStatus.WrongPassword, (await Auth(g, "both", "toor")).Status);
        var dyn = await Auth(g, "dyn", "toor");
        Assert.Equal((AuthStatus.Ok, UserKind.Dynamic), (dyn.Status, dyn.User!.Kind));
        Assert.Equal(["dyn", "both"], g.DynamicUserNames.Order().Reverse());
    }

    [Fact]
    public async Task NullToken_AcceptsAnyPassword_AbsentToken_None()
    {
        var g = Group("    static_users:\n      - {name: open, token: ~}\n      - {name: closed}\n");
        Assert.True((await Auth(g, "open", "anything")).Ok);
        Assert.Equal(AuthStatus.WrongPassword, (await Auth(g, "closed", "")).Status);
    }

    [Fact]
    public async Task Expire_IsCheckedAgainstTheClock_AfterThePassword()
    {
        // ManualTimeProvider starts at 2025-01-01T00:00:00Z
        var g = Group($"    static_users:\n      - {{name: root, token: {Toor}, expire: '2025-01-01T00:00:10Z'}}\n");
        Assert.True((await Auth(g, "root", "toor")).Ok);
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(AuthStatus.Expired, (await Auth(g, "root", "toor")).Status);
        Assert.Equal(AuthStatus.WrongPassword, (await Auth(g, "root", "bad")).Status);
    }

    [Fact]
    public async Task Recheck_OfAnAcceptedUser_SeesItsExpiry_AndItsBlock()
    {
        // what a kept-alive HTTP connection asks for a request that repeats the previous one's credentials
        var g = Group($"    static_users:\n      - {{name: root, token: {Toor}, expire: '2025-01-01T00:00:10Z'}}\n      - {{name: held, token: {Toor}, block_and_delay: 2s}}\n");
        var root = (await Auth(g, "root", "toor")).User!;
        Assert.Equal((AuthStatus.Ok, root), (UserLookup.Recheck(root).Status, UserLookup.Recheck(root).User));
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(AuthStatus.Expired, UserLookup.Recheck(root).Status);
        var held = g.Users.Find("held")!;
        var r = UserLookup.Recheck(held);
        Assert.Equal((AuthStatus.Blocked, TimeSpan.FromSeconds(2), held), (r.Status, r.Delay, r.User));
    }

    [Fact]
    public async Task BlockAndDelay_IsBlocked_WithTheDelay()
    {
        var g = Group($"    static_users:\n      - {{name: root, token: {Toor}, block_and_delay: 3s}}\n");
        var r = await Auth(g, "root", "toor");
        Assert.Equal((AuthStatus.Blocked, TimeSpan.FromSeconds(3)), (r.Status, r.Delay));
        Assert.True(r.User!.IsBlocked);
        Assert.Equal(AuthStatus.WrongPassword, (await Auth(g, "root", "x")).Status);
    }

    [Fact]
    public async Task IngressFilter_RefusesOtherClients_LoopbackAlwaysIn()
    {
        var g = Group($"    static_users:\n      - {{name: root, token: {Toor}, ingress_network_filter: {{default: forbid, permit: 10.0.0.0/8}}}}\n    anonymous_user: {{name: anon, ingress_network_filter: [10.0.0.0/8]}}\n");
        Assert.True((await Auth(g, "root", "toor", IPAddress.Parse("10.2.3.4"))).Ok);
        Assert.Equal(AuthStatus.ForbiddenSource, (await Auth(g, "root", "toor", IPAddress.Parse("192.0.2.1"))).Status);
        Assert.True((await Auth(g, "root", "toor", IPAddress.Loopback)).Ok);
        Assert.Equal(AuthStatus.ForbiddenSource, (await Auth(g, null, null, IPAddress.Parse("192.0.2.1"))).Status);
        Assert.True((await Auth(g, null, null, IPAddress.Parse("::ffff:10.0.0.1"))).Ok);
    }

    private static AuthResult? Remembered(BasicUserGroup g, string user, string pass, IPAddress? client = null) =>
        g.TryRemembered(user, System.Text.Encoding.UTF8.GetBytes(pass), client ?? Client);

    [Fact]
    public async Task Remembered_AnswersOnlyAListedUser_WithThePasswordItsTokenLastAccepted()
    {
        var g = Group($"    static_users:\n      - {{name: root, token: {Toor}}}\n      - {{name: any, token: null}}\n    anonymous_user: {{name: anon}}\n");
        Assert.Null(Remembered(g, "root", "toor")); // nothing accepted yet: the full lookup verifies it
        Assert.True((await Auth(g, "root", "toor")).Ok);
        var again = Remembered(g, "root", "toor");
        Assert.Equal((AuthStatus.Ok, "root"), (again!.Value.Status, again.Value.User!.Name));
        // anything else is the full lookup's: a wrong password, another name (anonymous), a token without a hash
        Assert.Null(Remembered(g, "root", "toot"));
        Assert.Equal(AuthStatus.WrongPassword, (await Auth(g, "root", "toot")).Status);
        Assert.Null(Remembered(g, "nobody", "toor"));
        Assert.True((await Auth(g, "any", "x")).Ok);
        Assert.Null(Remembered(g, "any", "x"));
    }

    [Fact]
    public async Task Remembered_StillChecksExpiry_Block_AndTheClient()
    {
        var g = Group($"    static_users:\n      - {{name: root, token: {Toor}, ingress_network_filter: {{default: forbid, permit: 10.0.0.0/8}}, expire: '2025-01-01T00:00:10Z'}}\n      - {{name: held, token: {Toor}, block_and_delay: 3s}}\n");
        Assert.True((await Auth(g, "root", "toor", IPAddress.Parse("10.2.3.4"))).Ok);
        Assert.Equal(AuthStatus.Ok, Remembered(g, "root", "toor", IPAddress.Parse("10.2.3.4"))!.Value.Status);
        Assert.Equal(AuthStatus.ForbiddenSource, Remembered(g, "root", "toor", IPAddress.Parse("192.0.2.1"))!.Value.Status);
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(AuthStatus.Expired, Remembered(g, "root", "toor", IPAddress.Parse("10.2.3.4"))!.Value.Status);
        Assert.Equal(AuthStatus.Blocked, (await Auth(g, "held", "toor")).Status);
        var held = Remembered(g, "held", "toor");
        Assert.Equal((AuthStatus.Blocked, TimeSpan.FromSeconds(3)), (held!.Value.Status, held.Value.Delay));
    }

    [Fact]
    public async Task FactsGroup_PicksBySmallestNet_OrDomain_AndRefusesPasswords()
    {
        var g = Group("""
                type: facts
                static_users:
                  - {name: wide, match_by_facts: ["net:10.0.0.0/8"]}
                  - {name: narrow, match_by_facts: [{net: 10.1.0.0/16}, {exact_domain: a.example.com}]}
                  - {name: host, match_by_facts: ["ip:10.1.2.3", {child_domain: example.com}]}
            """);
        Assert.Equal("host", g.MatchFacts(IPAddress.Parse("10.1.2.3"), null)!.Name);
        Assert.Equal("narrow", g.MatchFacts(IPAddress.Parse("10.1.9.9"), null)!.Name);
        Assert.Equal("wide", g.MatchFacts(IPAddress.Parse("10.200.0.1"), null)!.Name);
        Assert.Null(g.MatchFacts(IPAddress.Parse("192.0.2.1"), null));
        Assert.Equal("narrow", g.MatchFacts(null, "A.example.com")!.Name);
        Assert.Equal("host", g.MatchFacts(null, "b.example.com")!.Name);
        Assert.Equal(AuthStatus.UnknownUser, (await Auth(g, "wide", "x")).Status);
    }

    [Fact]
    public void NewDynamicSet_KeepsUserObjectsOfUsersThatStay_AndTheirCounters()
    {
        var g = Group("    static_users: []\n", [Dynamic("a") with { RequestMaxAlive = 2 }]);
        var a = g.Users.Find("a")!;
        using var guard = a.TryAcquireAlive();
        var next = g.Users.WithDynamic([Dynamic("a") with { RequestMaxAlive = 1, BlockAndDelay = TimeSpan.FromSeconds(1) }, Dynamic("b")]);
        var a2 = next.Find("a")!;
        Assert.Null(a2.TryAcquireAlive()); // the running request still counts against the new cap
        Assert.True(a.IsBlocked);                   // a task holding the old object sees the block
        Assert.NotNull(next.Find("b"));
    }

    [Fact]
    public void ADynamicSetNamingAUserTwice_TakesTheLastEntry_AsOneUser()
    {
        var g = Group("    static_users: []\n", [Dynamic("a") with { RequestMaxAlive = 2 }, Dynamic("b"), Dynamic("a") with { RequestMaxAlive = 1 }]);
        Assert.Equal(["a", "b"], g.DynamicUserNames.Order());
        Assert.Equal(1, g.Users.Find("a")!.Config.RequestMaxAlive);
        var next = g.Users.WithDynamic([Dynamic("a"), Dynamic("a") with { RequestMaxAlive = 3 }]);
        Assert.Equal(3, next.Find("a")!.Config.RequestMaxAlive);
        Assert.Equal(g.Users.Find("a")!.Ordinal, next.Find("a")!.Ordinal);
    }
}
