using System.Net;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Handles;

namespace Proxy.Actors.Escapers.Route;

/// <summary>g3's <c>route_client</c>: by the client's IP, exact_match first, then the longest subnet_match, else default_next.</summary>
internal sealed class RouteClientEscaper : RouteEscaper
{
    private readonly RouteClientEscaperConfig _config;
    private readonly Dictionary<IPAddress, string> _exact;
    private readonly NetworkTable _subnets;

    public RouteClientEscaper(RouteClientEscaperConfig config, HandleRegistry<IEscaper> escapers)
        : base(config.Name, config.TypeName, escapers)
    {
        _config = config;
        _exact = config.Exact.GroupBy(r => r.Value).ToDictionary(g => g.Key, g => g.First().Next);
        _subnets = new NetworkTable(config.Subnet);
    }

    internal override string Select(EscapeRequest request)
    {
        if (request.ClientAddr?.Address is not { } ip) return _config.DefaultNext;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        return _exact.GetValueOrDefault(ip) ?? _subnets.Match(ip) ?? _config.DefaultNext;
    }
}
