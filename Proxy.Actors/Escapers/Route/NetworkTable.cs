using System.Net;
using Proxy.Actors.Config.Escapers;

namespace Proxy.Actors.Escapers.Route;

/// <summary>Longest-prefix match over route rules' networks (IPv4-mapped addresses are matched as IPv4).</summary>
internal sealed class NetworkTable
{
    private readonly RouteRule<IPNetwork>[] _rules;

    public NetworkTable(IEnumerable<RouteRule<IPNetwork>> rules) =>
        _rules = rules.OrderByDescending(r => r.Value.PrefixLength).ToArray();

    public string? Match(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        foreach (var rule in _rules)
            if (rule.Value.BaseAddress.AddressFamily == ip.AddressFamily && rule.Value.Contains(ip)) return rule.Next;
        return null;
    }
}
