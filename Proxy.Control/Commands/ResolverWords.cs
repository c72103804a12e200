using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Control.Host;

namespace Proxy.Control.Commands;

/// <summary><c>resolver NAME query DOMAIN [-s STRATEGY]</c>: addresses one per line, through the resolver's own handle (and cache).</summary>
internal static class ResolverWords
{
    private static readonly TimeSpan QueryWait = TimeSpan.FromSeconds(30);

    public static async Task<ControlReply> QueryAsync(string name, IReadOnlyList<string> args, ProxyConfig config, HandleRegistry<IResolver> resolvers)
    {
        if (!config.Resolvers.Any(r => r.Name == name) || !resolvers.TryGet(name, out var resolver))
            return ControlReply.Fail($"no resolver named '{name}'");
        string? domain = null;
        var strategy = ResolveQuery.Ipv4First;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is "-s" or "--strategy" or "--query-strategy")
            {
                if (i + 1 >= args.Count || ParseStrategy(args[++i]) is not { } s) return ControlReply.Fail("invalid query strategy (ipv4first, ipv6first, ipv4only, ipv6only)");
                strategy = s;
            }
            else if (domain is null) domain = args[i];
            else return ControlReply.Fail($"unexpected argument '{args[i]}'");
        }
        if (domain is null) return ControlReply.Fail("usage: resolver <resolver> query <domain> [-s STRATEGY]");

        using var cts = new CancellationTokenSource(QueryWait);
        var families = strategy switch
        {
            ResolveQuery.Ipv4Only => new[] { AddressFamily.InterNetwork },
            ResolveQuery.Ipv6Only => [AddressFamily.InterNetworkV6],
            ResolveQuery.Ipv6First => [AddressFamily.InterNetworkV6, AddressFamily.InterNetwork],
            _ => [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6],
        };
        var addresses = new List<IPAddress>();
        ResolveResult? last = null;
        foreach (var family in families)
        {
            last = await resolver.ResolveAsync(domain, family, cts.Token).ConfigureAwait(false);
            if (last.Ok) addresses.AddRange(last.Addresses);
        }
        if (addresses.Count > 0) return ControlReply.Text(addresses.Select(a => a.ToString()));
        return ControlReply.Fail($"{domain}: {last?.Error}{(last?.Reason is { } r ? " (" + r + ")" : "")}");
    }

    private static ResolveQuery? ParseStrategy(string text) => text.Replace("_", "").ToLowerInvariant() switch
    {
        "ipv4first" => ResolveQuery.Ipv4First,
        "ipv6first" => ResolveQuery.Ipv6First,
        "ipv4only" => ResolveQuery.Ipv4Only,
        "ipv6only" => ResolveQuery.Ipv6Only,
        _ => null,
    };
}
