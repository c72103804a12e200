using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers.Direct;

/// <summary>
/// What resolving a domain target gave to start connecting with: the first usable answer
/// (and the other family's if it came within resolution_delay), or the failure; plus the
/// other family's lookup if it is still running, to be merged while connecting.
/// </summary>
internal sealed record ResolutionStart(
    IReadOnlyList<IPAddress> First,
    IReadOnlyList<IPAddress>? Second,
    Task<ResolveResult>? Pending,
    ResolveResult? Failure);

/// <summary>
/// The resolve half of happy eyeballs (RFC 8305 section 3, g3's HappyEyeballsResolveJob):
/// for *First strategies both families are queried at once; the preferred family's answer is
/// used as soon as it arrives; if the other family answers first, the preferred one gets
/// resolution_delay to catch up before connecting starts without it.
/// </summary>
internal static class TargetResolution
{
    /// <summary>
    /// For route escapers that pick by address (route_resolved, route_geoip): the addresses that came
    /// within the resolve step (preferred family first), or the failure as an escape result (530).
    /// </summary>
    public static async Task<(IReadOnlyList<IPAddress> Ips, EscapeResult? Failure)> AddressesAsync(
        IResolver resolver, string host, ResolveQuery query, HappyEyeballsConfig he, TimeProvider time, CancellationToken ct)
    {
        var start = await StartAsync(resolver, host, query, he, time, ct).ConfigureAwait(false);
        if (start.Failure is { } failure)
            return ([], EscapeResult.Fail(EscapeErrorKind.ResolveFailed,
                $"resolve {host} via '{resolver.Name}': {failure.Reason ?? failure.Error.ToString()}"));
        return ([.. start.First, .. start.Second ?? []], null);
    }

    public static async Task<ResolutionStart> StartAsync(
        IResolver resolver, string host, ResolveQuery query, HappyEyeballsConfig he, TimeProvider time, CancellationToken ct)
    {
        switch (query)
        {
            case ResolveQuery.Ipv4Only:
            case ResolveQuery.Ipv6Only:
            {
                var family = query == ResolveQuery.Ipv4Only ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                var only = await resolver.ResolveAsync(host, family, ct).ConfigureAwait(false);
                return only.Ok ? new(only.Addresses, null, null, null) : new([], null, null, only);
            }
        }

        var (preferredFamily, otherFamily) = query == ResolveQuery.Ipv6First
            ? (AddressFamily.InterNetworkV6, AddressFamily.InterNetwork)
            : (AddressFamily.InterNetwork, AddressFamily.InterNetworkV6);
        var preferred = resolver.ResolveAsync(host, preferredFamily, ct).AsTask();
        var other = resolver.ResolveAsync(host, otherFamily, ct).AsTask();

        var firstDone = await Task.WhenAny(preferred, other).ConfigureAwait(false);
        if (firstDone == preferred)
        {
            var p = await preferred.ConfigureAwait(false);
            if (p.Ok) return new(p.Addresses, null, other, null);
            var o = await other.ConfigureAwait(false);
            return o.Ok ? new(o.Addresses, null, null, null) : new([], null, null, p);
        }

        var otherResult = await other.ConfigureAwait(false);
        if (!otherResult.Ok)
        {
            var p = await preferred.ConfigureAwait(false);
            return p.Ok ? new(p.Addresses, null, null, null) : new([], null, null, p);
        }

        // The other family answered first: give the preferred one resolution_delay.
        if (!await CompletesWithin(preferred, he.ResolutionDelay, time, ct).ConfigureAwait(false))
            return new(otherResult.Addresses, null, preferred, null);
        var late = await preferred.ConfigureAwait(false);
        return late.Ok
            ? new(late.Addresses, otherResult.Addresses, null, null)
            : new(otherResult.Addresses, null, null, null);
    }

    /// <summary>True when <paramref name="task"/> ends within <paramref name="limit"/>; honours ct.</summary>
    internal static async Task<bool> CompletesWithin(Task task, TimeSpan limit, TimeProvider time, CancellationToken ct)
    {
        if (task.IsCompleted) return true;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(limit, time, cts.Token);
        var done = await Task.WhenAny(task, delay).ConfigureAwait(false);
        cts.Cancel(); // stop the timer either way
        ct.ThrowIfCancellationRequested();
        return done == task;
    }
}
