using System.Text.RegularExpressions;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Handles;

namespace Proxy.Actors.Escapers.Route;

/// <summary>
/// g3's <c>route_upstream</c>: an IP target by exact_match then the longest subnet_match; a domain
/// by exact_match, then child_match (the nearest ancestor domain, by labels), suffix_match (the
/// longest string suffix), regex_match (in order, after stripping a rule's parent); else default_next.
/// </summary>
internal sealed class RouteUpstreamEscaper : RouteEscaper
{
    private readonly RouteUpstreamEscaperConfig _config;
    private readonly Dictionary<string, string> _exact;
    private readonly NetworkTable _subnets;
    private readonly Dictionary<string, string> _children;
    private readonly RouteRule<string>[] _suffixes;

    public RouteUpstreamEscaper(RouteUpstreamEscaperConfig config, HandleRegistry<IEscaper> escapers)
        : base(config.Name, config.TypeName, escapers)
    {
        _config = config;
        _exact = config.Exact.GroupBy(r => r.Value).ToDictionary(g => g.Key, g => g.First().Next, StringComparer.Ordinal);
        _subnets = new NetworkTable(config.Subnet);
        _children = config.Child.GroupBy(r => r.Value).ToDictionary(g => g.Key, g => g.First().Next, StringComparer.Ordinal);
        _suffixes = config.Suffix.OrderByDescending(r => r.Value.Length).ToArray();
    }

    internal override string Select(EscapeRequest request)
    {
        if (request.Target.Ip is { } ip)
            return _exact.GetValueOrDefault(ip.ToString()) ?? _subnets.Match(ip) ?? _config.DefaultNext;
        var host = request.Target.Host.TrimEnd('.').ToLowerInvariant();
        return _exact.GetValueOrDefault(host) ?? Child(host) ?? Suffix(host) ?? Regex(host) ?? _config.DefaultNext;
    }

    private string? Child(string host)
    {
        for (var name = host; ; )
        {
            if (_children.TryGetValue(name, out var next)) return next;
            var dot = name.IndexOf('.');
            if (dot < 0) return null;
            name = name[(dot + 1)..];
        }
    }

    private string? Suffix(string host)
    {
        foreach (var rule in _suffixes)
            if (host.EndsWith(rule.Value, StringComparison.Ordinal)) return rule.Next;
        return null;
    }

    private string? Regex(string host)
    {
        foreach (var rule in _config.Regex)
        {
            var part = host;
            if (rule.Value.Parent is { } parent)
            {
                if (!host.EndsWith("." + parent, StringComparison.Ordinal)) continue;
                part = host[..^(parent.Length + 1)];
            }
            try
            {
                if (rule.Value.Regex.IsMatch(part)) return rule.Next;
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological pattern over a client-chosen name: treat as no match.
            }
        }
        return null;
    }
}
