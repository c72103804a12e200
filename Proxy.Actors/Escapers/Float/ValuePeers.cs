using System.Text.Json;
using Proxy.Actors.Config.Escapers;

namespace Proxy.Actors.Escapers.Float;

/// <summary>
/// proxy_float's peers given whole as a task's egress path JSON value (a user's egress_path_value_map):
/// each distinct value is parsed and built once and kept, so its connection pool serves the next task
/// too. At most <see cref="MaxKept"/> are kept; past that all are dropped and built afresh (a value map
/// is per user, so the set is small unless values are made up per task).
/// </summary>
internal sealed class ValuePeers(ProxyFloatEscaperConfig config, Func<FloatPeer, IEscaper> build) : IDisposable
{
    private const int MaxKept = 256;
    private readonly Dictionary<string, (FloatPeer Peer, IEscaper Escaper)> _kept = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    /// <summary>The peer for this JSON value, or why there is none (unparsable, expired, TLS without tls_client).</summary>
    public (IEscaper?, string?) Get(string json, DateTimeOffset now)
    {
        (FloatPeer Peer, IEscaper Escaper) entry;
        lock (_lock)
        {
            if (!_kept.TryGetValue(json, out entry))
            {
                FloatPeer peer;
                try
                {
                    using var doc = JsonDocument.Parse(json);
                    peer = FloatPeer.Parse(doc.RootElement);
                }
                catch (Exception e) when (e is JsonException or FormatException)
                {
                    return (null, "invalid peer json value: " + e.Message);
                }
                if (config.TlsClient is null && peer.Type is "https" or "socks5s")
                    return (null, $"{peer.Type} peer {peer.Addr} needs tls_client");
                if (_kept.Count >= MaxKept) Clear();
                entry = (peer, build(peer));
                _kept[json] = entry;
            }
        }
        return entry.Peer.LiveAt(now, config.ExpireGuardDuration) ? (entry.Escaper, null) : (null, "expired peer json value");
    }

    private void Clear()
    {
        foreach (var (_, escaper) in _kept.Values) (escaper as IDisposable)?.Dispose();
        _kept.Clear();
    }

    public void Dispose()
    {
        lock (_lock) Clear();
    }
}
