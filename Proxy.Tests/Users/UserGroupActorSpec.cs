using System.Net;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Proxy.Actors.Config;
using Proxy.Actors.Logging;
using Proxy.Actors.Guardian;
using Proxy.Actors.Handles;
using Proxy.Actors.Users;
using Proxy.Tests.Config;
using Proxy.Tests.Integration;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Users;

[Collection(NodeCollection.Name)]
public sealed class UserGroupActorSpec : TestKit
{
    private readonly NodeServices _services = new(TaskLogger.Discard);
    private readonly TempConfigDir _dir = new();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _dir.Dispose();
    }

    private IActorRef Start(string groupYaml)
    {
        _dir.Write("main.yml", "user_group:\n  - name: g\n" + groupYaml);
        var config = ConfigLoader.Load(Path.Combine(_dir.Root, "main.yml")).UserGroups.Single();
        var guardian = CreateTestProbe();
        var actor = Sys.ActorOf(UserGroupActor.Props(config, _services.UserGroups, _services.Time, guardian), "g");
        guardian.ExpectMsg<HandlePublished>(TimeSpan.FromSeconds(10));
        return actor;
    }

    private async Task<AuthStatus> Auth(string user, string password) =>
        (await _services.UserGroups.Get("g").AuthenticateAsync(user, password, IPAddress.Loopback, CancellationToken.None)).Status;

    [Fact]
    public async Task FileSource_LoadedAtStart_ReloadedOnTheTimer_BadFileKeepsLastGoodSet()
    {
        var users = _dir.Write("users.json", """[{"name": "a", "token": null}]""");
        var actor = Start("    refresh_interval: 200ms\n    source: {type: file, path: users.json}\n");
        Assert.Equal(AuthStatus.Ok, await Auth("a", "x"));
        Assert.Equal(AuthStatus.UnknownUser, await Auth("b", "x"));

        await File.WriteAllTextAsync(users, """[{"name": "b", "token": null}]""");
        Assert.True(await Eventually.True(async () => await Auth("b", "x") == AuthStatus.Ok));
        Assert.Equal(AuthStatus.UnknownUser, await Auth("a", "x"));

        await File.WriteAllTextAsync(users, """[{"name": "c", "tokn": null}]""");
        var group = _services.UserGroups.Get("g");
        // ask for fetches until one has read the broken file: it is refused, naming the key
        Assert.True(await Eventually.True(async () =>
        {
            var r = await actor.Ask<UserGroupActor.RefreshResult>(new UserGroupActor.Refresh(), TimeSpan.FromSeconds(10));
            return r.Error?.Contains("unknown key 'tokn'") == true;
        }));
        Assert.Same(group, _services.UserGroups.Get("g"));
        Assert.Equal(AuthStatus.Ok, await Auth("b", "x"));
    }

    [Fact]
    public async Task PublishUsers_ReplacesTheDynamicSet_WritesTheCache_AndIsUsedAfterRestart()
    {
        var cache = Path.Combine(_dir.Root, "cache.json");
        var script = _dir.Write("fetch.lua", "return '[]'");
        var actor = Start("    refresh_interval: 1h\n    cache: cache.json\n    source: {type: lua, script: fetch.lua}\n    static_users: [{name: s, token: ~}]\n");
        // A fetch still running (the one at start) would replace the published set when it ends: wait
        // until a refresh of our own has run to its end, so none is in flight when we publish.
        Assert.True(await Eventually.True(async () =>
            (await actor.Ask<UserGroupActor.RefreshResult>(new UserGroupActor.Refresh(), TimeSpan.FromSeconds(10))).Ok, TimeSpan.FromSeconds(20)));

        var published = await actor.Ask<UserGroupActor.PublishUsersResult>(
            new UserGroupActor.PublishUsers("""[{"name": "p", "token": null}, {"name": "s", "token": {"salt": "0000000000000000", "md5": "00000000000000000000000000000000"}}]"""), TimeSpan.FromSeconds(10));
        Assert.True(published.Ok, published.Error);
        Assert.Equal(AuthStatus.Ok, await Auth("p", "x"));
        Assert.Equal(AuthStatus.Ok, await Auth("s", "x")); // the static user shadows the published one
        Assert.Contains("\"p\"", await File.ReadAllTextAsync(cache));

        var bad = await actor.Ask<UserGroupActor.PublishUsersResult>(new UserGroupActor.PublishUsers("[{\"name\": 1, \"bogus\": 2}]"), TimeSpan.FromSeconds(10));
        Assert.False(bad.Ok);
        Assert.Contains("unknown key 'bogus'", bad.Error);
        Assert.Equal(AuthStatus.Ok, await Auth("p", "x"));

        // a restart reads the cache before the script runs (the script now fails)
        await File.WriteAllTextAsync(script, "error('source down')");
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Start("    refresh_interval: 1h\n    cache: cache.json\n    source: {type: lua, script: fetch.lua}\n");
        // the new actor reads its cache as it starts: wait for it, with a deadline
        await AwaitAssertAsync(async () => Assert.Equal(AuthStatus.Ok, await Auth("p", "x")), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task PythonSource_UsersArrive()
    {
        _dir.Write("users.py", "def fetch_users():\n    return '[{\"name\": \"py\", \"token\": null}]'\n");
        Start("    source: {type: python, script: users.py}\n");
        Assert.True(await Eventually.True(async () => await Auth("py", "any") == AuthStatus.Ok, TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task MissingGroup_IsEmpty_EveryAuthenticationFails()
    {
        var r = await _services.UserGroups.Get("nope").AuthenticateAsync("a", "b", IPAddress.Loopback, CancellationToken.None);
        Assert.Equal(AuthStatus.UnknownUser, r.Status);
    }
}
