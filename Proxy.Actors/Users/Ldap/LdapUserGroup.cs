using System.Net;
using Proxy.Actors.Config.UserGroups;

namespace Proxy.Actors.Users.Ldap;

/// <summary>
/// g3's <c>ldap</c> group: the password is checked by a simple bind. A name listed as a static or dynamic
/// user uses that entry's rules; an unlisted name LDAP accepts uses <c>unmanaged_user</c> (or fails
/// without one); a name LDAP refuses falls to anonymous_user, as an unknown name does in a basic group.
/// </summary>
public sealed class LdapUserGroup : IUserGroup, IDisposable
{
    private readonly LdapUserGroupConfig _config;
    private readonly UserTable _users;
    private readonly LdapAuthenticator _ldap;

    public LdapUserGroup(LdapUserGroupConfig config, UserTable users, LdapAuthenticator ldap)
    {
        _config = config;
        _users = users;
        _ldap = ldap;
    }

    public string Name => _config.Name;
    public string TypeName => _config.TypeName;
    public UserTable Users => _users;
    public User? AnonymousUser => _users.Anonymous;
    public IReadOnlyCollection<string> StaticUserNames => _users.StaticNames;
    public IReadOnlyCollection<string> DynamicUserNames => _users.DynamicNames;
    public IReadOnlyList<UserConfig> DynamicUsers => _users.DynamicConfigs;

    internal LdapUserGroup WithUsers(UserTable users) => new(_config, users, _ldap);

    public async ValueTask<AuthResult> AuthenticateAsync(string? username, string? password, IPAddress? client, CancellationToken ct)
    {
        if (username is null) return UserLookup.Check(_users, null, null, client, unmanaged: null);
        var verdict = await _ldap.VerifyAsync(username, password ?? "", ct).ConfigureAwait(false);
        switch (verdict)
        {
            case LdapVerdict.Unavailable:
                return AuthResult.Fail(AuthStatus.Unavailable);
            case LdapVerdict.Rejected:
                // a listed user with a wrong password fails; an unknown one falls to anonymous
                return _users.Find(username) is { } known ? new AuthResult(AuthStatus.WrongPassword, known)
                    : UserLookup.Check(_users, username, password, client, unmanaged: null);
        }
        var listed = _users.Find(username);
        var user = listed ?? Unmanaged(username);
        if (user is null) return AuthResult.Fail(AuthStatus.UnknownUser);
        // LDAP checked the password; the entry's own token is not asked again (g3: static users need no token)
        if (user.IsExpired) return new AuthResult(AuthStatus.Expired, user);
        if (user.Config.BlockAndDelay is { } delay) return new AuthResult(AuthStatus.Blocked, user, delay);
        if (client is not null && user.CheckClient(client) >= Config.Acl.AclAction.Forbid) return new AuthResult(AuthStatus.ForbiddenSource, user);
        return AuthResult.Success(user);
    }

    public User? MatchFacts(IPAddress? ip, string? serverName) => null;

    /// <summary>An unlisted user LDAP accepted, with the unmanaged_user template's rules under its own name.</summary>
    private User? Unmanaged(string username) =>
        _config.UnmanagedUser is { } template ? _ldap.UnmanagedUser(username, template, _config.Name) : null;

    /// <summary>Why LDAP was last unavailable, if it was.</summary>
    public string? LastError => _ldap.LastError;

    public void Dispose() => _ldap.Dispose();
}
