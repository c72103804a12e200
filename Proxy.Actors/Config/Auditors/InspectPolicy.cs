using System.Net;

namespace Proxy.Actors.Config.Auditors;

/// <summary>g3's protocol inspect actions that G3Actors builds (<c>detour</c> needs a QUIC peer).</summary>
public enum InspectAction { Intercept, Bypass, Block }

/// <summary>
/// g3's protocol inspect policy: exact host, then child domain (domains only), then subnet (IPs only),
/// then the default (intercept unless set).
/// </summary>
public sealed record InspectPolicy(
    InspectAction Default,
    IReadOnlyDictionary<string, InspectAction> Exact,
    IReadOnlyList<(string Domain, InspectAction Action)> Child,
    IReadOnlyList<(IPNetwork Network, InspectAction Action)> Subnet)
{
    public static readonly InspectPolicy InterceptAll = Only(InspectAction.Intercept);

    public static InspectPolicy Only(InspectAction action) =>
        new(action, new Dictionary<string, InspectAction>(), [], []);

    public InspectAction Check(string host)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        var ip = IPAddress.TryParse(host.Trim('[', ']'), out var parsed) ? parsed : null;
        if (Exact.TryGetValue(ip?.ToString() ?? host, out var exact)) return exact;
        if (ip is null)
        {
            // the most specific parent wins, as in g3's child-domain radix
            var best = -1;
            var action = Default;
            foreach (var (domain, a) in Child)
                if (domain.Length > best && (host == domain || host.EndsWith("." + domain, StringComparison.Ordinal)))
                    (best, action) = (domain.Length, a);
            return action;
        }
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        var bestPrefix = -1;
        var netAction = Default;
        foreach (var (net, a) in Subnet)
            if (net.PrefixLength > bestPrefix && net.Contains(ip))
                (bestPrefix, netAction) = (net.PrefixLength, a);
        return netAction;
    }
}
