using System.Net;
using Proxy.Actors.Config.Escapers;
using StackExchange.Redis;

namespace Proxy.Actors.Escapers.Float;

/// <summary>
/// proxy_float's redis source: every refresh_interval (the first at once) reads the members of
/// sets_key, each one peer's JSON, and publishes them as the new set when they changed. A failed
/// read or a bad member keeps the set in force (the publish refuses it whole), as g3 keeps its old set.
/// With tls_client the connection is TLS, the server certificate checked against tls_name (or the host).
/// </summary>
internal sealed class RedisPeerSource : IDisposable
{
    private readonly ProxyFloatRedisSource _config;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly Func<string, PublishResult> _publish;
    private readonly CancellationTokenSource _stop = new();
    private ConnectionMultiplexer? _redis;
    private string? _last;

    public RedisPeerSource(ProxyFloatRedisSource config, TimeSpan interval, TimeProvider time, Func<string, PublishResult> publish)
    {
        _config = config;
        _interval = interval > TimeSpan.Zero ? interval : TimeSpan.FromSeconds(1);
        _time = time;
        _publish = publish;
        _ = PollAsync(_stop.Token);
    }

    /// <summary>Why the last poll did not apply (null after one that did); for the operator and tests.</summary>
    public string? LastError { get; private set; }

    private async Task PollAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                LastError = await PollOnceAsync(ct).ConfigureAwait(false);
                await Task.Delay(_interval, _time, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return; // disposed with the escaper (a reload or stop)
            }
        }
    }

    private async Task<string?> PollOnceAsync(CancellationToken ct)
    {
        RedisValue[] members;
        try
        {
            _redis ??= await ConnectionMultiplexer.ConnectAsync(Options()).WaitAsync(_config.ConnectTimeout + _config.ResponseTimeout, _time, ct).ConfigureAwait(false);
            members = await _redis.GetDatabase((int)_config.Db).SetMembersAsync(_config.SetsKey)
                .WaitAsync(_config.ResponseTimeout, _time, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return $"redis {_config.Addr}: failed to get all members of set {_config.SetsKey}: {e.Message}";
        }
        // set members come unordered: sorted, an unchanged set is not published again (peers keep their pools)
        var json = "[" + string.Join(",", members.Select(m => (string)m!).Order(StringComparer.Ordinal)) + "]";
        if (json == _last) return null;
        var result = _publish(json);
        if (!result.Ok) return $"redis set {_config.SetsKey}: {result.Message}";
        _last = json;
        return null;
    }

    private ConfigurationOptions Options()
    {
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ConnectTimeout = (int)_config.ConnectTimeout.TotalMilliseconds,
            AsyncTimeout = (int)_config.ResponseTimeout.TotalMilliseconds,
            SyncTimeout = (int)_config.ResponseTimeout.TotalMilliseconds,
            User = _config.Username,
            Password = _config.Password,
            DefaultDatabase = (int)_config.Db,
        };
        if (IPAddress.TryParse(_config.Addr.Host, out var ip)) options.EndPoints.Add(ip, _config.Addr.Port);
        else options.EndPoints.Add(_config.Addr.Host, _config.Addr.Port);
        if (_config.TlsClient is { } tls)
        {
            // the node's one TLS client setup (CA bundle, client certificate, versions), checked against tls_name
            var name = _config.TlsName ?? _config.Addr.Host;
            options.Ssl = true;
            options.SslHost = name;
            options.SslClientAuthenticationOptions = _ => Tls.TlsClientHandshake.BuildOptions(name, tls);
        }
        return options;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _redis?.Dispose();
        _stop.Dispose();
    }
}
