using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Users;
using Proxy.Actors.Users.Tokens;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Users.Tokens;

public sealed class VerifiedPasswordTests
{
    /// <summary>A token that accepts one password and counts how often it was asked.</summary>
    private sealed record CountingToken(string Password) : PasswordToken
    {
        public int Calls { get; private set; }

        public override bool Verify(string password)
        {
            Calls++;
            return password == Password;
        }
    }

    private readonly ManualTimeProvider _time = new();

    private User UserWith(PasswordToken token) =>
        new("u", "g", UserKind.Static, new UserConfig { Name = "u", Token = token }, _time);

    [Fact]
    public void RightPassword_IsHashedOnce_ThenAnsweredFromTheCache()
    {
        var token = new CountingToken("toor");
        var user = UserWith(token);
        for (var i = 0; i < 5; i++) Assert.Equal(AuthStatus.Ok, user.CheckPassword("toor"));
        Assert.Equal(1, token.Calls);
    }

    [Fact]
    public void WrongPasswords_AreNeverCached_AndDoNotEvictTheRightOne()
    {
        var token = new CountingToken("toor");
        var user = UserWith(token);
        Assert.Equal(AuthStatus.Ok, user.CheckPassword("toor"));
        Assert.Equal(AuthStatus.WrongPassword, user.CheckPassword("toot"));
        Assert.Equal(AuthStatus.WrongPassword, user.CheckPassword("toot"));
        Assert.Equal(AuthStatus.WrongPassword, user.CheckPassword("too"));
        Assert.Equal(AuthStatus.WrongPassword, user.CheckPassword("toor\0"));
        Assert.Equal(AuthStatus.WrongPassword, user.CheckPassword(""));
        Assert.Equal(AuthStatus.Ok, user.CheckPassword("toor"));
        Assert.Equal(6, token.Calls);
    }

    [Fact]
    public void AReloadedUser_StartsEmpty_SoAChangedTokenIsAsked()
    {
        var user = UserWith(new CountingToken("old"));
        Assert.Equal(AuthStatus.Ok, user.CheckPassword("old"));
        var changed = new CountingToken("new");
        var reloaded = user.Rebuild(new UserConfig { Name = "u", Token = changed }, UserKind.Static);
        Assert.Equal(AuthStatus.WrongPassword, reloaded.CheckPassword("old"));
        Assert.Equal(AuthStatus.Ok, reloaded.CheckPassword("new"));
        Assert.Equal(2, changed.Calls);
    }

    [Fact]
    public void CachedUser_StillExpires()
    {
        var token = new CountingToken("toor");
        var user = new User("u", "g", UserKind.Static,
            new UserConfig { Name = "u", Token = token, Expire = _time.GetUtcNow().AddMinutes(1) }, _time);
        Assert.Equal(AuthStatus.Ok, user.CheckPassword("toor"));
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(AuthStatus.Expired, user.CheckPassword("toor"));
    }

    [Fact]
    public void Cache_MatchesOnlyTheSamePassword_AnyLengthUpTo63Bytes_LongerOnesAreNotKept()
    {
        var cache = new VerifiedPassword();
        Assert.False(cache.Matches("x"));
        var long63 = new string('é', 31) + "a"; // 63 UTF-8 bytes
        cache.Remember(long63);
        Assert.True(cache.Matches(long63));
        Assert.False(cache.Matches(long63[..^1]));
        Assert.False(cache.Matches(long63 + "a"));
        var tooLong = new string('a', 64);
        cache.Remember(tooLong);
        Assert.False(cache.Matches(tooLong));
        Assert.True(cache.Matches(long63));
    }

    [Fact]
    public void Cache_MatchesTheSamePassword_AsUtf8Bytes()
    {
        var cache = new VerifiedPassword();
        cache.Remember("pässwörd");
        Assert.True(cache.Matches(System.Text.Encoding.UTF8.GetBytes("pässwörd")));
        Assert.False(cache.Matches(System.Text.Encoding.UTF8.GetBytes("passwort")));
        Assert.False(cache.Matches(System.Text.Encoding.Latin1.GetBytes("pässwörd")));
        Assert.False(cache.Matches(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void TheFirstPasswordKept_Stays_ALaterOneIsNotKept()
    {
        var entry = new VerifiedPassword();
        Assert.False(entry.Matches("toor"u8));
        entry.Remember("toor");
        Assert.True(entry.Matches("toor"u8));
        Assert.False(entry.Matches("toot"u8));
        entry.Remember("second");
        Assert.False(entry.Matches("second"u8));
        Assert.True(entry.Matches("toor"u8));
    }

    /// <summary>The entry is written by one thread while others read it: a reader sees no password, or the whole one.</summary>
    [Fact]
    public async Task ConcurrentRememberAndMatch_NeverMatchAWrongPassword_AndEndWithTheRightOne()
    {
        for (var round = 0; round < 200; round++)
        {
            var user = UserWith(new CountingToken("toor"));
            using var start = new ManualResetEventSlim();
            var wrong = 0;
            var tasks = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                start.Wait(TimeSpan.FromSeconds(10));
                for (var i = 0; i < 50; i++)
                {
                    if (t % 2 == 0) Assert.Equal(AuthStatus.Ok, user.CheckPassword("toor"));
                    else if (user.PasswordRemembered("toot"u8) || user.PasswordRemembered("toor\0"u8)) Interlocked.Increment(ref wrong);
                }
            })).ToArray();
            start.Set();
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, wrong);
            Assert.True(user.PasswordRemembered("toor"u8));
        }
    }
}
