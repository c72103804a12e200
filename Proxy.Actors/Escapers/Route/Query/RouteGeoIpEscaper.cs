using System.Net;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Handles;
using Proxy.Actors.Protocols.IpLocate;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers.Route.Query;

/// <summary>
/// g3's <c>route_geoip</c>: the target's address (a domain resolved with the happy-eyeballs resolve
/// step, the first address taken, as g3 does) goes by the longest matching network rule; failing
/// that, when any AS number, country or continent rule exists, by its location from the ip locate
/// service, checked in that order; else default_next. A failed resolution fails the request (530).
/// </summary>
internal sealed class RouteGeoIpEscaper : IEscaper, IDisposable
{
    private readonly RouteGeoIpEscaperConfig _config;
    private readonly HandleRegistry<IEscaper> _escapers;
    private readonly HandleRegistry<IResolver> _resolvers;
    private readonly TimeProvider _time;
    private readonly NetworkTable _networks;
    private readonly Dictionary<uint, string> _asn;
    private readonly Dictionary<string, string> _countries;
    private readonly Dictionary<string, string> _continents;
    private readonly IpLocateAgent? _locate;
    private readonly HappyEyeballsConfig _resolve;
    private readonly Stats.EscaperStats? _stats;

    public RouteGeoIpEscaper(RouteGeoIpEscaperConfig config, HandleRegistry<IEscaper> escapers, HandleRegistry<IResolver> resolvers, TimeProvider time,
        Stats.EscaperStats? stats = null)
    {
        _stats = stats;
        _config = config;
        _escapers = escapers;
        _resolvers = resolvers;
        _time = time;
        _networks = new NetworkTable(config.Networks);
        _asn = config.AsNumbers.GroupBy(r => r.Value).ToDictionary(g => g.Key, g => g.First().Next);
        _countries = config.Countries.GroupBy(r => r.Value).ToDictionary(g => g.Key, g => g.First().Next);
        _continents = config.Continents.GroupBy(r => r.Value).ToDictionary(g => g.Key, g => g.First().Next);
        _resolve = HappyEyeballsConfig.Default with { ResolutionDelay = config.ResolutionDelay };
        // as g3: the service is asked only when some rule needs a location
        if (_asn.Count + _countries.Count + _continents.Count > 0) _locate = new IpLocateAgent(config.IpLocateService, time);
    }

    public string Name => _config.Name;
    public string TypeName => _config.TypeName;

    public async ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct)
    {
        // a route escaper's task count is the requests it passed on (g3's route.request_passed)
        _stats?.TaskStarted();
        var ip = request.Target.Ip;
        if (ip is null)
        {
            var (ips, failure) = await TargetResolution.AddressesAsync(_resolvers.Get(_config.Resolver), request.Target.Host,
                _config.ResolveStrategy.Query, _resolve, _time, ct).ConfigureAwait(false);
            if (failure is not null) return failure;
            ip = ips.FirstOrDefault();
            if (ip is null) return EscapeResult.Fail(EscapeErrorKind.ResolveFailed, $"resolve {request.Target.Host}: no address");
        }
        var next = await SelectAsync(ip, ct).ConfigureAwait(false);
        return await _escapers.Get(next).EscapeAsync(request, ct).ConfigureAwait(false);
    }

    internal async Task<string> SelectAsync(IPAddress ip, CancellationToken ct)
    {
        if (_networks.Match(ip) is { } byNetwork) return byNetwork;
        if (_locate is not null && await _locate.FetchAsync(ip, ct).ConfigureAwait(false) is { } location && ByLocation(location) is { } next)
            return next;
        return _config.DefaultNext;
    }

    private string? ByLocation(IpLocation location)
    {
        if (location.AsNumber is { } asn && _asn.TryGetValue(asn, out var byAsn)) return byAsn;
        if (location.Country is { } country && _countries.TryGetValue(country, out var byCountry)) return byCountry;
        if (location.Continent is { } continent && _continents.TryGetValue(continent, out var byContinent)) return byContinent;
        return null;
    }

    public void Dispose() => _locate?.Dispose();
}
