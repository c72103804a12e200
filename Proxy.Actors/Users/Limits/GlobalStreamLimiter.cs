using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Users.Limits;

/// <summary>
/// g3's all-connection stream limiter (tcp_all_upload/download_speed_limit): a token bucket shared by
/// every connection of a user. It starts with one replenish, gains <c>replenish_bytes</c> every
/// <c>replenish_interval</c> up to <c>max_burst_bytes</c>; a consumer takes what is there (at most
/// what it wants) and, when the bucket is empty, waits for the next replenish. Replenishing is
/// computed from the clock when tokens are asked for, so no timer runs for an idle user.
/// </summary>
public sealed class GlobalStreamLimiter
{
    private readonly GlobalStreamSpeedLimit _config;
    private readonly TimeProvider _time;
    private readonly ReplenishClock _clock;
    private readonly object _lock = new();
    private long _tokens;

    public GlobalStreamLimiter(GlobalStreamSpeedLimit config, TimeProvider time)
    {
        _config = config;
        _time = time;
        _clock = new ReplenishClock(config.ReplenishInterval, time);
        _tokens = config.ReplenishBytes;
    }

    public GlobalStreamSpeedLimit Config => _config;

    /// <summary>Takes up to <paramref name="wanted"/> bytes; 0 with the wait until the next replenish when empty.</summary>
    public int TryConsume(int wanted, out TimeSpan wait)
    {
        lock (_lock)
        {
            Replenish();
            if (_tokens <= 0)
            {
                wait = _clock.UntilNext;
                return 0;
            }
            var got = (int)Math.Min(wanted, _tokens);
            _tokens -= got;
            wait = TimeSpan.Zero;
            return got;
        }
    }

    /// <summary>Waits until some bytes are granted (at most <paramref name="wanted"/>).</summary>
    public async ValueTask<int> AcquireAsync(int wanted, CancellationToken ct)
    {
        while (true)
        {
            var got = TryConsume(wanted, out var wait);
            if (got > 0) return got;
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), _time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Gives back bytes taken but not sent (g3's release), never above the burst.</summary>
    public void Release(int unused)
    {
        if (unused <= 0) return;
        lock (_lock) _tokens = Math.Min(_config.MaxBurstBytes, _tokens + unused);
    }

    public long Available
    {
        get
        {
            lock (_lock)
            {
                Replenish();
                return _tokens;
            }
        }
    }

    private void Replenish() =>
        _tokens = ReplenishClock.Refill(_tokens, _clock.Advance(), _config.ReplenishBytes, _config.MaxBurstBytes);
}
