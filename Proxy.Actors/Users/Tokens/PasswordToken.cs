namespace Proxy.Actors.Users.Tokens;

/// <summary>
/// A user's password token in one of g3's forms (docs/users.md): absent (never matches), null (no
/// check), a fast hash map, or a crypt(5) string. Immutable; <see cref="Verify"/> is thread-safe.
/// </summary>
public abstract record PasswordToken
{
    public abstract bool Verify(string password);

    /// <summary>Checking costs nothing worth caching (no hash): <see cref="VerifiedPassword"/> is skipped.</summary>
    public virtual bool IsTrivial => false;

    /// <summary>No <c>token</c> key: the user can never authenticate with a password.</summary>
    public static readonly PasswordToken Forbidden = new ForbiddenToken();

    /// <summary><c>token: null</c>, and every anonymous or unmanaged user: any password passes.</summary>
    public static readonly PasswordToken SkipVerify = new SkipVerifyToken();

    private sealed record ForbiddenToken : PasswordToken
    {
        public override bool Verify(string password) => false;
        public override bool IsTrivial => true;
    }

    private sealed record SkipVerifyToken : PasswordToken
    {
        public override bool Verify(string password) => true;
        public override bool IsTrivial => true;
    }
}
