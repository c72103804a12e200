using System.Net;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.UserGroups;

namespace Proxy.Actors.Users;

/// <summary>g3's <c>basic</c> and <c>facts</c> groups over one <see cref="UserTable"/>.</summary>
public sealed class BasicUserGroup(UserGroupConfig config, UserTable users) : IUserGroup
{
    public string Name => config.Name;
    public string TypeName => config.TypeName;
    public UserGroupConfig Config => config;
    public UserTable Users => users;
    public User? AnonymousUser => users.Anonymous;
    public IReadOnlyCollection<string> StaticUserNames => users.StaticNames;
    public IReadOnlyCollection<string> DynamicUserNames => users.DynamicNames;
    public IReadOnlyList<UserConfig> DynamicUsers => users.DynamicConfigs;

    public ValueTask<AuthResult> AuthenticateAsync(string? username, string? password, IPAddress? client, CancellationToken ct)
    {
        // a facts group has no passwords: only its match_by_facts picks users (g3: NoSuchUser)
        if (config is FactsUserGroupConfig && username is not null) return ValueTask.FromResult(AuthResult.Fail(AuthStatus.UnknownUser));
        return ValueTask.FromResult(UserLookup.Check(users, username, password, client, unmanaged: null));
    }

    /// <summary>
    /// <see cref="AuthenticateAsync"/> for the steady state of Basic on every request, with no string made:
    /// a listed user whose password is the one its token last accepted. Null when that is not the case;
    /// every other outcome is the full lookup's to give.
    /// </summary>
    public AuthResult? TryRemembered(ReadOnlySpan<char> username, ReadOnlySpan<byte> passwordUtf8, IPAddress? client) =>
        config is not FactsUserGroupConfig && users.Find(username) is { } user && user.PasswordRemembered(passwordUtf8)
            ? UserLookup.TokenAccepted(user, client)
            : null;

    public User? MatchFacts(IPAddress? ip, string? serverName) => users.MatchFacts(ip, serverName);
}

/// <summary>The lookup every group type shares once it knows (or has not found) the user.</summary>
internal static class UserLookup
{
    /// <param name="unmanaged">For LDAP: the user a bind accepted when no table entry has its name.</param>
    public static AuthResult Check(UserTable users, string? username, string? password, IPAddress? client, User? unmanaged)
    {
        User? user;
        if (username is null)
        {
            user = users.Anonymous;
            if (user is null) return AuthResult.Fail(AuthStatus.NoCredentials);
        }
        else
        {
            user = users.Find(username) ?? unmanaged ?? users.Anonymous;
            if (user is null) return AuthResult.Fail(AuthStatus.UnknownUser);
            var status = user.CheckPassword(password ?? "");
            if (status != AuthStatus.Ok) return Refused(user, status);
        }
        return ClientAllowed(user, client);
    }

    /// <summary>The rest of <see cref="Check"/> for a user whose token accepted the password: expiry, block, then the client.</summary>
    public static AuthResult TokenAccepted(User user, IPAddress? client)
    {
        var status = user.CheckAccepted();
        return status == AuthStatus.Ok ? ClientAllowed(user, client) : Refused(user, status);
    }

    private static AuthResult ClientAllowed(User user, IPAddress? client) =>
        client is not null && user.CheckClient(client).IsForbidden() ? new AuthResult(AuthStatus.ForbiddenSource, user) : AuthResult.Success(user);

    /// <summary>
    /// <see cref="Check"/> again for a user it let in with the same credentials from the same client
    /// (the same <see cref="User"/> object): only what may have changed since, its expiry and block.
    /// </summary>
    public static AuthResult Recheck(User user)
    {
        var status = user.CheckAccepted();
        return status == AuthStatus.Ok ? AuthResult.Success(user) : Refused(user, status);
    }

    private static AuthResult Refused(User user, AuthStatus status) =>
        status == AuthStatus.Blocked
            ? new AuthResult(AuthStatus.Blocked, user, user.Config.BlockAndDelay ?? TimeSpan.Zero)
            // the user goes with the failure: its forbidden counters say why
            : new AuthResult(status, user);
}
