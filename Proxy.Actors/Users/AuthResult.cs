namespace Proxy.Actors.Users;

/// <summary>How an authentication ended (g3's UserAuthError, as values).</summary>
public enum AuthStatus
{
    Ok,
    /// <summary>No credentials and no anonymous_user: 407 / 401 / SOCKS auth failure.</summary>
    NoCredentials,
    /// <summary>A name neither static, dynamic nor (for LDAP) accepted, and no anonymous_user.</summary>
    UnknownUser,
    WrongPassword,
    Expired,
    /// <summary>block_and_delay: reply 403 after <see cref="AuthResult.Delay"/>.</summary>
    Blocked,
    /// <summary>The user's ingress_network_filter forbids this client.</summary>
    ForbiddenSource,
    /// <summary>The password could not be checked (LDAP down or timed out).</summary>
    Unavailable,
}

/// <summary>The outcome of one authentication: the user, or why not (and for a block, the delay before the 403).</summary>
public readonly record struct AuthResult(AuthStatus Status, User? User = null, TimeSpan Delay = default)
{
    public bool Ok => Status == AuthStatus.Ok;

    public static AuthResult Success(User user) => new(AuthStatus.Ok, user);
    public static AuthResult Fail(AuthStatus status) => new(status);
}
