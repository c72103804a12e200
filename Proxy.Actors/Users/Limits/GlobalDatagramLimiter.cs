using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Users.Limits;

/// <summary>
/// g3's all-connection datagram limiter (udp_all_*_speed_limit): a byte bucket and a packet bucket
/// (either may be off), shared by every UDP relay of a user; a datagram passes whole or waits.
/// </summary>
public sealed class GlobalDatagramLimiter
{
    private readonly GlobalDatagramSpeedLimit _config;
    private readonly ReplenishClock _clock;
    private readonly object _lock = new();
    private long _bytes;
    private long _packets;

    public GlobalDatagramLimiter(GlobalDatagramSpeedLimit config, TimeProvider time)
    {
        _config = config;
        _clock = new ReplenishClock(config.ReplenishInterval, time);
        _bytes = config.ReplenishBytes;
        _packets = config.ReplenishPackets;
    }

    /// <summary>Takes one packet of <paramref name="size"/> bytes, or says how long until the next replenish.</summary>
    public bool TryConsume(int size, out TimeSpan wait)
    {
        lock (_lock)
        {
            var intervals = _clock.Advance();
            _bytes = ReplenishClock.Refill(_bytes, intervals, _config.ReplenishBytes, _config.MaxBurstBytes);
            _packets = ReplenishClock.Refill(_packets, intervals, _config.ReplenishPackets, _config.MaxBurstPackets);
            var bytesOk = _config.ReplenishBytes == 0 || _bytes > 0;
            var packetsOk = _config.ReplenishPackets == 0 || _packets > 0;
            if (!bytesOk || !packetsOk)
            {
                wait = _clock.UntilNext;
                return false;
            }
            // a datagram cannot be split: it may overdraw the byte bucket, which the next replenishes repay
            if (_config.ReplenishBytes > 0) _bytes -= size;
            if (_config.ReplenishPackets > 0) _packets--;
            wait = TimeSpan.Zero;
            return true;
        }
    }
}
