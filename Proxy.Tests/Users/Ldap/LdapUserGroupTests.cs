using System.Net;
using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Users;
using Proxy.Actors.Users.Ldap;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Users.Ldap;

public sealed class SlapdFixture : IDisposable
{
    public Slapd Server { get; } = new();

    public SlapdFixture()
    {
        Server.AddUser("alice", "alice-pw");
        Server.AddUser("bob", "bob-pw");
        Server.AddUser("carol", "carol-pw");
    }

    public void Dispose() => Server.Dispose();
}

/// <summary>The ldap group against a real slapd: plain, STARTTLS and ldaps, listed and unmanaged users.</summary>
[Collection(NodeCollection.Name)]
public sealed class LdapUserGroupTests(SlapdFixture fixture) : IClassFixture<SlapdFixture>
{
    private readonly Slapd _slapd = fixture.Server;

    private LdapUserGroup Group(string url, string extra = "", TimeProvider? time = null)
    {
        var config = (LdapUserGroupConfig)GroupYaml.Load($"""
                type: ldap
                ldap_url: {url}
                static_users:
                  - name: alice
                    request_max_alive: 7
                unmanaged_user:
                  name: unmanaged
                  dst_port_filter: [443]
            {extra}
            """);
        time ??= TimeProvider.System;
        return (LdapUserGroup)UserGroupFactory.Create(config, UserTable.Create(config, time), time);
    }

    private string CaYaml => "    tls_client:\n      ca_certificate: |\n" + string.Join("\n", _slapd.CaPem.Trim().Split('\n').Select(l => "        " + l)) + "\n";

    private static async Task<AuthResult> Auth(IUserGroup g, string user, string password) =>
        await g.AuthenticateAsync(user, password, IPAddress.Loopback, CancellationToken.None);

    [Fact]
    public async Task PlainLdap_ListedUser_UsesItsEntry_UnlistedUsesUnmanaged_WrongPasswordFails()
    {
        using var g = Group($"ldap://127.0.0.1:{_slapd.LdapPort}/{Slapd.BaseDn}");
        var alice = await Auth(g, "alice", "alice-pw");
        Assert.True(alice.Ok, $"{alice.Status}: {g.LastError}");
        Assert.Equal((UserKind.Static, 7), (alice.User!.Kind, alice.User.Config.RequestMaxAlive));
        var bob = await Auth(g, "bob", "bob-pw");
        Assert.Equal((AuthStatus.Ok, UserKind.Unmanaged, "bob"), (bob.Status, bob.User!.Kind, bob.User.Name));
        Assert.Same(bob.User, (await Auth(g, "bob", "bob-pw")).User); // one User per unmanaged name: shared limiters
        Assert.Equal(AuthStatus.WrongPassword, (await Auth(g, "alice", "nope")).Status);
        Assert.Equal(AuthStatus.UnknownUser, (await Auth(g, "bob", "nope")).Status);
        Assert.Equal(AuthStatus.UnknownUser, (await Auth(g, "mallory", "x")).Status);
        Assert.Equal(AuthStatus.UnknownUser, (await Auth(g, "bob", "")).Status); // never an anonymous bind
    }

    [Fact]
    public async Task StartTls_WithTheTestCa_Binds()
    {
        using var g = Group($"ldap://127.0.0.1:{_slapd.LdapPort}/{Slapd.BaseDn}", CaYaml);
        var carol = await Auth(g, "carol", "carol-pw");
        Assert.True(carol.Ok, $"{carol.Status}: {g.LastError}");
        Assert.Equal(AuthStatus.UnknownUser, (await Auth(g, "carol", "wrong")).Status);
        using var untrusted = Group($"ldap://127.0.0.1:{_slapd.LdapPort}/{Slapd.BaseDn}", "    tls_client: {}\n");
        Assert.Equal(AuthStatus.Unavailable, (await Auth(untrusted, "carol", "carol-pw")).Status);
    }

    [Fact]
    public async Task VerifiedPasswords_AreCached_UntilCacheExpireTime()
    {
        _slapd.AddUser("dave", "old-pw");
        var time = new Proxy.Tests.Resolvers.ManualTimeProvider();
        using var g = Group($"ldap://127.0.0.1:{_slapd.LdapPort}/{Slapd.BaseDn}", "    cache_expire_time: 1m\n", time);
        Assert.True((await Auth(g, "dave", "old-pw")).Ok);
        _slapd.SetPassword("dave", "new-pw");
        Assert.True((await Auth(g, "dave", "old-pw")).Ok);   // from the cache: no bind
        Assert.True((await Auth(g, "dave", "new-pw")).Ok);   // not cached: binds, and replaces the entry
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(AuthStatus.UnknownUser, (await Auth(g, "dave", "old-pw")).Status);
    }

    [Fact]
    public async Task Ldaps_WithTheTestCa_Binds_WithoutIt_IsUnavailable()
    {
        using var g = Group($"ldaps://127.0.0.1:{_slapd.LdapsPort}/{Slapd.BaseDn}", CaYaml);
        Assert.True((await Auth(g, "alice", "alice-pw")).Ok);
        using var untrusted = Group($"ldaps://127.0.0.1:{_slapd.LdapsPort}/{Slapd.BaseDn}");
        Assert.Equal(AuthStatus.Unavailable, (await Auth(untrusted, "alice", "alice-pw")).Status);
    }

    [Fact]
    public async Task ServerDown_IsUnavailable_NotAWrongPassword()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var g = Group($"ldap://127.0.0.1:{port}/{Slapd.BaseDn}", "    connect_timeout: 1s\n    response_timeout: 1s\n");
        Assert.Equal(AuthStatus.Unavailable, (await Auth(g, "alice", "alice-pw")).Status);
    }
}
