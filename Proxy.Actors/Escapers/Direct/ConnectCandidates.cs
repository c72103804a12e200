using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Escapers.Direct;

/// <summary>One address to try and the local address to bind for it.</summary>
internal readonly record struct ConnectCandidate(IPAddress Ip, IPAddress? BindIp);

/// <summary>
/// The addresses still to try for one request, in happy-eyeballs order, each checked against
/// no_ipv4/no_ipv6, egress_network_filter and bind_ip. Skipped addresses are remembered so
/// that "nothing left" can say why. Used by one connection task only: not thread-safe.
/// </summary>
internal sealed class ConnectCandidates
{
    private readonly DirectFixedEscaperConfig _config;
    private readonly int _maxTries;
    private List<IPAddress> _pending = [];
    private readonly List<IPAddress> _permitted = [];
    private readonly List<string> _forbidden = [];
    private readonly List<string> _unbindable = [];
    private readonly EgressPathSelection? _path;
    private readonly ResolvePick _pick;
    private int _cycle;

    /// <param name="path">The task's egress path when enable_path_selection is on: its number id picks the bind IP.</param>
    /// <param name="pick">How addresses are picked: the escaper's resolve_strategy pick, or the task's user's.</param>
    public ConnectCandidates(DirectFixedEscaperConfig config, int maxTries, EgressPathSelection? path = null, ResolvePick? pick = null)
    {
        _config = config;
        _maxTries = maxTries;
        _path = path;
        _pick = pick ?? config.ResolveStrategy.Pick;
    }

    /// <summary>The first answer(s): <paramref name="first"/> leads, <paramref name="second"/> is interleaved.</summary>
    public void AddInitial(IReadOnlyList<IPAddress> first, IReadOnlyList<IPAddress>? second = null)
    {
        var a = Accept(AddressOrder.Prepare(first, _pick, _maxTries));
        var b = second is null ? [] : Accept(AddressOrder.Prepare(second, _pick, _maxTries));
        _pending = AddressOrder.Interleave(a, b, _config.HappyEyeballs.FirstAddressFamilyCount);
    }

    /// <summary>The other family arrived while connecting: fold it into what is left.</summary>
    public void Merge(IReadOnlyList<IPAddress> other, int tried)
    {
        var b = Accept(AddressOrder.Prepare(other, _pick, _maxTries));
        _pending = AddressOrder.Interleave(_pending, b, _config.HappyEyeballs.FirstAddressFamilyCount - tried);
    }

    /// <summary>
    /// The next address. When every address has been tried once and tries remain, the
    /// permitted ones are tried again in turn (so an IP target gets max_retry+1 tries), but
    /// not while the other family's answer may still bring new addresses.
    /// </summary>
    public bool TryNext(int tries, bool resolutionPending, out ConnectCandidate candidate)
    {
        IPAddress ip;
        if (_pending.Count > 0)
        {
            ip = _pending[0];
            _pending.RemoveAt(0);
        }
        else if (!resolutionPending && tries < _maxTries && _permitted.Count > 0)
        {
            ip = _permitted[_cycle++ % _permitted.Count];
        }
        else
        {
            candidate = default;
            return false;
        }
        candidate = new ConnectCandidate(ip, PickBindIp(ip.AddressFamily));
        return true;
    }

    public bool AnyPermitted => _permitted.Count > 0;

    /// <summary>Why there was nothing to connect to (every address skipped).</summary>
    public EscapeResult NothingToConnect(TimeSpan spend)
    {
        if (_forbidden.Count > 0)
            return EscapeResult.Fail(EscapeErrorKind.ForbiddenByRule, string.Join("; ", _forbidden), 0, spend);
        if (_unbindable.Count > 0)
            return EscapeResult.Fail(EscapeErrorKind.NetworkUnreachable, string.Join("; ", _unbindable), 0, spend);
        return EscapeResult.Fail(EscapeErrorKind.ResolveFailed, "no address to connect to", 0, spend);
    }

    private List<IPAddress> Accept(List<IPAddress> addresses)
    {
        var accepted = new List<IPAddress>(addresses.Count);
        foreach (var raw in addresses)
        {
            var ip = raw.IsIPv4MappedToIPv6 ? raw.MapToIPv4() : raw;
            var why = SkipReason(ip, out var forbidden);
            if (why is null)
            {
                accepted.Add(ip);
                if (!_permitted.Contains(ip)) _permitted.Add(ip);
            }
            else (forbidden ? _forbidden : _unbindable).Add(why);
        }
        return accepted;
    }

    /// <summary>Null when <paramref name="ip"/> may be tried; else the reason a client will see.</summary>
    internal string? SkipReason(IPAddress ip, out bool forbidden)
    {
        forbidden = true;
        var v6 = ip.AddressFamily == AddressFamily.InterNetworkV6;
        if (v6 && _config.NoIpv6) return $"IPv6 is disabled by no_ipv6: {ip}";
        if (!v6 && _config.NoIpv4) return $"IPv4 is disabled by no_ipv4: {ip}";
        if (_config.EgressNetworkFilter.Check(ip).IsForbidden())
            return $"egress_network_filter forbids {ip}";
        forbidden = false;
        if (_config.BindIp.Count > 0 && !_config.BindIpPerFamily && !_config.BindIp.Any(b => b.AddressFamily == ip.AddressFamily))
            return $"no bind_ip of the family of {ip}";
        return null;
    }

    private IPAddress? PickBindIp(AddressFamily family)
    {
        if (_config.BindIp.Count == 0) return null;
        var matching = BindIps(_config.BindIp, family);
        if (matching.Length == 0) return null;
        return matching[PathIndex(_path, _config.Name, matching.Length) ?? Random.Shared.Next(matching.Length)];
    }

    /// <summary>The bind addresses of one family, in config order (the order path ids count in).</summary>
    internal static IPAddress[] BindIps(IReadOnlyList<IPAddress> all, AddressFamily family) =>
        all.Where(b => b.AddressFamily == family).ToArray();

    /// <summary>As g3: a path id picks among two or more bind addresses; one address is always that one.</summary>
    internal static int? PathIndex(EgressPathSelection? path, string escaper, int count) =>
        count > 1 ? path?.SelectNumberId(escaper, count) : null;
}
