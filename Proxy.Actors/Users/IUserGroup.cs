using System.Net;

namespace Proxy.Actors.Users;

/// <summary>
/// The handle a user-group actor publishes; connection tasks call it directly. Immutable and
/// thread-safe: new dynamic users or a reload publish a new handle, running tasks keep their <see cref="User"/>.
/// </summary>
public interface IUserGroup
{
    string Name { get; }
    string TypeName { get; }

    /// <summary>
    /// g3's lookup: no credentials → anonymous_user; otherwise static, then dynamic (then LDAP), then
    /// anonymous_user; a known name with a wrong password fails. The user's ingress filter is checked last.
    /// </summary>
    ValueTask<AuthResult> AuthenticateAsync(string? username, string? password, IPAddress? client, CancellationToken ct);

    /// <summary>For a facts group: the user whose match_by_facts fits the client IP or server name/IP (null = none).</summary>
    User? MatchFacts(IPAddress? ip, string? serverName);

    User? AnonymousUser { get; }
    IReadOnlyCollection<string> StaticUserNames { get; }
    IReadOnlyCollection<string> DynamicUserNames { get; }
    /// <summary>The dynamic users now (published or fetched): a reload of the group keeps them.</summary>
    IReadOnlyList<Config.UserGroups.UserConfig> DynamicUsers { get; }
}
