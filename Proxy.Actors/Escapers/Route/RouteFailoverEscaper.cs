using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Handles;

namespace Proxy.Actors.Escapers.Route;

/// <summary>
/// g3's <c>route_failover</c>, happy-eyeballs style: the primary starts at once; the standby starts
/// when the primary fails, or when fallback_delay passes without the primary having connected.
/// The first upstream wins and the other attempt is cancelled (a late success is closed). When both
/// fail the client sees the standby's error, with both reasons.
/// </summary>
internal sealed class RouteFailoverEscaper(RouteFailoverEscaperConfig config, HandleRegistry<IEscaper> escapers, TimeProvider time) : IEscaper
{
    public string Name => config.Name;
    public string TypeName => config.TypeName;

    public async ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct)
    {
        using var race = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var primary = escapers.Get(config.Primary).EscapeAsync(request, race.Token).AsTask();
        Task<EscapeResult>? standby = null;
        Task<EscapeResult>? handedOut = null;
        try
        {
            using (var delayCts = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                var delay = Task.Delay(config.FallbackDelay, time, delayCts.Token);
                await Task.WhenAny(primary, delay).ConfigureAwait(false);
                delayCts.Cancel();
            }
            ct.ThrowIfCancellationRequested();
            if (primary.IsCompleted)
            {
                var first = await primary.ConfigureAwait(false);
                if (first.Ok)
                {
                    handedOut = primary;
                    return first;
                }
                var second = await escapers.Get(config.Standby).EscapeAsync(request, ct).ConfigureAwait(false);
                return second.Ok ? second : BothFailed(first, second);
            }

            standby = escapers.Get(config.Standby).EscapeAsync(request, race.Token).AsTask();
            var done = await Task.WhenAny(primary, standby).ConfigureAwait(false);
            var winner = await done.ConfigureAwait(false);
            if (winner.Ok)
            {
                handedOut = done;
                return winner;
            }
            var otherTask = done == primary ? standby : primary;
            var other = await otherTask.ConfigureAwait(false);
            if (other.Ok)
            {
                handedOut = otherTask;
                return other;
            }
            var (p, s) = done == primary ? (winner, other) : (other, winner);
            return BothFailed(p, s);
        }
        finally
        {
            race.Cancel();
            if (primary != handedOut) _ = CloseLoser(primary);
            if (standby is not null && standby != handedOut) _ = CloseLoser(standby);
        }
    }

    private static EscapeResult BothFailed(EscapeResult primary, EscapeResult standby) =>
        standby with { Reason = $"primary '{primary.Reason}'; standby '{standby.Reason}'" };

    /// <summary>An attempt that lost the race: close whatever upstream it opened, now or when it ends.</summary>
    private static async Task CloseLoser(Task<EscapeResult> attempt)
    {
        try
        {
            var late = await attempt.ConfigureAwait(false);
            if (late.Ok) await late.DisposeUpstreamAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
