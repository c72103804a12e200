using System.Collections.Concurrent;
using System.DirectoryServices.Protocols;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Proxy.Actors.Config.UserGroups;

namespace Proxy.Actors.Users.Ldap;

public enum LdapVerdict { Accepted, Rejected, Unavailable }

/// <summary>
/// Simple binds against the group's LDAP server through System.DirectoryServices.Protocols (libldap):
/// a pool of connections (ldap://, ldap:// + STARTTLS when tls_client is set, or ldaps://), at most
/// queue_channel_size binds at once (a caller waits up to queue_wait_timeout for a turn), every bind
/// bounded by response_timeout, and a cache of recently verified passwords (cache_user_count,
/// cache_expire_time) so a busy user does not bind on every request.
/// </summary>
public sealed class LdapAuthenticator : IDisposable
{
    private readonly LdapUserGroupConfig _config;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _queue;
    private readonly ConcurrentBag<LdapConnection> _idle = [];
    private readonly ConcurrentDictionary<string, CacheEntry> _verified = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, User> _unmanaged = new(StringComparer.Ordinal);
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private int _idleCount;

    private sealed record CacheEntry(byte[] PasswordMac, DateTimeOffset Expires);

    public LdapAuthenticator(LdapUserGroupConfig config, TimeProvider time)
    {
        _config = config;
        _time = time;
        _queue = new SemaphoreSlim(config.QueueChannelSize, config.QueueChannelSize);
    }

    /// <summary>Why the last bind could not be made (server down, TLS refused); for logs and the group's status.</summary>
    public string? LastError { get; private set; }

    public async ValueTask<LdapVerdict> VerifyAsync(string username, string password, CancellationToken ct)
    {
        // an empty password would be an unauthenticated bind, which servers accept: never a login
        if (password.Length == 0 || username.Length == 0 || username.Length > 255) return LdapVerdict.Rejected;
        var mac = HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(password));
        if (_verified.TryGetValue(username, out var hit) && hit.Expires > _time.GetUtcNow() && CryptographicOperations.FixedTimeEquals(hit.PasswordMac, mac))
            return LdapVerdict.Accepted;

        if (!await _queue.WaitAsync(_config.QueueWaitTimeout, ct).ConfigureAwait(false)) return LdapVerdict.Unavailable;
        // libldap's bind blocks a thread; its turn in the queue is given back only when it really ends,
        // so a hung server fills the queue (callers then wait queue_wait_timeout) instead of piling up threads
        var bind = Task.Run(() => Bind(username, password), CancellationToken.None);
        _ = bind.ContinueWith(_ => _queue.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        LdapVerdict verdict;
        try
        {
            verdict = await bind.WaitAsync(_config.ConnectTimeout + _config.ResponseTimeout, _time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LastError = $"no answer within {(_config.ConnectTimeout + _config.ResponseTimeout).TotalSeconds:0.###}s";
            return LdapVerdict.Unavailable;
        }
        if (verdict == LdapVerdict.Accepted) Remember(username, mac);
        else if (verdict == LdapVerdict.Rejected) _verified.TryRemove(username, out _);
        return verdict;
    }

    private void Remember(string username, byte[] mac)
    {
        if (_verified.Count >= _config.CacheUserCount && !_verified.ContainsKey(username))
        {
            // bounded: drop the entry closest to expiry (the oldest) to make room
            var oldest = _verified.OrderBy(e => e.Value.Expires).FirstOrDefault();
            if (oldest.Key is not null) _verified.TryRemove(oldest.Key, out _);
        }
        _verified[username] = new CacheEntry(mac, _time.GetUtcNow() + _config.CacheExpireTime);
    }

    private LdapVerdict Bind(string username, string password)
    {
        LdapConnection? connection = null;
        try
        {
            connection = Rent();
            connection.Bind(new NetworkCredential(Dn(username), password));
            Return(connection);
            connection = null;
            return LdapVerdict.Accepted;
        }
        catch (LdapException e) when (e.ErrorCode == 49) // invalidCredentials
        {
            Return(connection!);
            connection = null;
            return LdapVerdict.Rejected;
        }
        catch (Exception e) when (e is LdapException or DirectoryOperationException or TimeoutException or ObjectDisposedException)
        {
            LastError = e is LdapException le ? $"{le.Message} (ldap error {le.ErrorCode}{(le.ServerErrorMessage is { } m ? ": " + m : "")})" : e.Message;
            return LdapVerdict.Unavailable;
        }
        finally
        {
            connection?.Dispose();
        }
    }

    /// <summary>RFC 4514 escaping of the name inside <c>attr=NAME,base_dn</c>.</summary>
    public string Dn(string username)
    {
        var sb = new StringBuilder(username.Length + 16);
        for (var i = 0; i < username.Length; i++)
        {
            var c = username[i];
            var special = c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' or '='
                || (i == 0 && c is ' ' or '#') || (i == username.Length - 1 && c == ' ');
            if (c < 0x20) sb.Append('\\').Append(((int)c).ToString("x2"));
            else if (special) sb.Append('\\').Append(c);
            else sb.Append(c);
        }
        return _config.BaseDn.Length == 0 ? $"{_config.UsernameAttribute}={sb}" : $"{_config.UsernameAttribute}={sb},{_config.BaseDn}";
    }

    private LdapConnection Rent()
    {
        if (_idle.TryTake(out var pooled))
        {
            Interlocked.Decrement(ref _idleCount);
            return pooled;
        }
        return Connect();
    }

    private void Return(LdapConnection connection)
    {
        if (Interlocked.Increment(ref _idleCount) <= _config.ConnectionPool.MaxIdleCount) _idle.Add(connection);
        else
        {
            Interlocked.Decrement(ref _idleCount);
            connection.Dispose();
        }
    }

    private LdapConnection Connect()
    {
        var connection = new LdapConnection(new LdapDirectoryIdentifier(_config.Host, _config.Port), null, AuthType.Basic)
        {
            Timeout = _config.ResponseTimeout,
        };
        var options = connection.SessionOptions;
        options.ProtocolVersion = 3;
        options.ReferralChasing = ReferralChasingOptions.None;
        // SendTimeout is not usable on Linux (every bind then fails as "server unavailable"): connect_timeout
        // bounds the whole bind from the caller's side instead (VerifyAsync)
        if (_config.DirectTls || _config.TlsClient is not null) LdapTls.Configure(options, _config);
        if (_config.DirectTls) options.SecureSocketLayer = true;
        else if (_config.TlsClient is not null) StartTls(connection);
        return connection;
    }

    /// <summary>
    /// On Linux S.DS.P connects lazily and StartTLS on an unconnected handle fails as "server unavailable",
    /// so an anonymous bind opens the connection first; a server that refuses anonymous binds still
    /// leaves it open, so only "unavailable" is fatal.
    /// </summary>
    private static void StartTls(LdapConnection connection)
    {
        try { connection.Bind(new NetworkCredential("", "")); }
        catch (LdapException e) when (e.ErrorCode != 81) { }
        connection.SessionOptions.StartTransportLayerSecurity(null);
    }

    /// <summary>One User per unmanaged name, so its limiters are shared by all its connections.</summary>
    internal User UnmanagedUser(string name, UserConfig template, string group) =>
        _unmanaged.Count < 65536 || _unmanaged.ContainsKey(name)
            ? _unmanaged.GetOrAdd(name, n => new User(n, group, UserKind.Unmanaged, template with { Name = n }, _time))
            : new User(name, group, UserKind.Unmanaged, template with { Name = name }, _time);

    public void Dispose()
    {
        // the queue semaphore is left to the collector: a bind still running releases it when it ends
        while (_idle.TryTake(out var c)) c.Dispose();
    }
}
