using System.Net;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Protocols.IpLocate;

namespace Proxy.Actors.Escapers.Route.Query;

/// <summary>
/// g3's ip locate client (lib/g3-ip-locate): locations are cached by their network (longest match),
/// so one answer serves every address in it; the service may also push locations unasked. A miss
/// asks once per address; with no answer within query_wait_timeout the waiters get the expired
/// location for the address if one is still held, as g3 does. A caller waits at most cache_request_timeout.
/// </summary>
internal sealed class IpLocateAgent : IDisposable
{
    /// <summary>g3 does not bound this cache; G3Actors does (networks held at most).</summary>
    public const int MaxEntries = 16384;

    private sealed record Entry(IpLocation Location, DateTimeOffset ValidBefore);

    private sealed class Pending
    {
        public readonly TaskCompletionSource<IpLocation?> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ITimer? Timer;
    }

    private readonly IpLocateServiceConfig _config;
    private readonly TimeProvider _time;
    private readonly UdpPeerSocket _socket;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPNetwork, Entry> _cache = [];
    private readonly Dictionary<IPAddress, Pending> _pending = [];

    public IpLocateAgent(IpLocateServiceConfig config, TimeProvider time)
    {
        _config = config;
        _time = time;
        _socket = new UdpPeerSocket(config.QueryPeerAddr, config.QuerySocketBuffer, OnDatagram);
    }

    /// <summary>The location of the address, or null when the service gave none in time.</summary>
    public async Task<IpLocation?> FetchAsync(IPAddress ip, CancellationToken ct)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        Task<IpLocation?> wait;
        lock (_lock)
        {
            if (Match(ip) is { } hit && hit.ValidBefore >= _time.GetUtcNow()) return hit.Location;
            if (!_pending.TryGetValue(ip, out var pending))
            {
                pending = new Pending();
                _pending[ip] = pending;
                var asked = ip;
                pending.Timer = _time.CreateTimer(_ => GiveUp(asked, pending), null, _config.QueryWaitTimeout, Timeout.InfiniteTimeSpan);
                if (_socket.Send(IpLocateCodec.EncodeRequest(ip)) is not null)
                    ThreadPool.UnsafeQueueUserWorkItem(_ => GiveUp(asked, pending), null);
            }
            wait = pending.Done.Task;
        }
        try
        {
            return await wait.WaitAsync(_config.CacheRequestTimeout, _time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Under the lock: the entry of the longest network holding the address.</summary>
    private Entry? Match(IPAddress ip)
    {
        var bits = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        for (var prefix = bits; prefix >= 0; prefix--)
            if (_cache.TryGetValue(new IPNetwork(Mask(ip, prefix), prefix), out var entry)) return entry;
        return null;
    }

    private static IPAddress Mask(IPAddress ip, int prefix)
    {
        var bytes = ip.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }

    private void GiveUp(IPAddress ip, Pending pending)
    {
        IpLocation? stale;
        lock (_lock)
        {
            if (!_pending.TryGetValue(ip, out var current) || current != pending) return;
            _pending.Remove(ip);
            pending.Timer?.Dispose();
            stale = Match(ip)?.Location;
        }
        pending.Done.TrySetResult(stale);
    }

    private void OnDatagram(ReadOnlyMemory<byte> datagram)
    {
        if (IpLocateCodec.DecodeResponse(datagram, out _) is not { } answer) return;
        var ttl = answer.Ttl ?? _config.DefaultExpireTtl;
        if (ttl > _config.MaximumExpireTtl) ttl = _config.MaximumExpireTtl;
        var network = new IPNetwork(Mask(answer.Location.Network.BaseAddress, answer.Location.Network.PrefixLength), answer.Location.Network.PrefixLength);
        var location = answer.Location with { Network = network };
        Pending? pending = null;
        lock (_lock)
        {
            if (_cache.Count >= MaxEntries && !_cache.ContainsKey(network)) Trim();
            _cache[network] = new Entry(location, _time.GetUtcNow().AddSeconds(ttl));
            var ip = answer.Ip is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : answer.Ip;
            if (ip is not null && _pending.Remove(ip, out pending)) pending.Timer?.Dispose();
        }
        pending?.Done.TrySetResult(location);
    }

    /// <summary>Under the lock: drops expired networks, then (still full) the ones expiring soonest.</summary>
    private void Trim()
    {
        var now = _time.GetUtcNow();
        foreach (var k in _cache.Where(e => e.Value.ValidBefore < now).Select(e => e.Key).ToList()) _cache.Remove(k);
        if (_cache.Count < MaxEntries) return;
        foreach (var k in _cache.OrderBy(e => e.Value.ValidBefore).Take(_cache.Count - MaxEntries + 1).Select(e => e.Key).ToList()) _cache.Remove(k);
    }

    public void Dispose()
    {
        _socket.Dispose();
        lock (_lock)
            foreach (var p in _pending.Values) p.Timer?.Dispose();
    }
}
