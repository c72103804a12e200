using System.Net.Sockets;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Handles;

namespace Proxy.Actors.Resolvers.FailOver;

/// <summary>
/// g3's <c>fail_over</c>: the primary and the standby are asked at once. A valid primary answer
/// within fallback_delay wins; a primary failure within it hands over to the standby's answer;
/// after the delay the first valid answer of either wins, and with none, the later failure.
/// Valid means NOERROR (an empty answer too), or, with retry_empty_record, at least one address.
/// Members are looked up by name at each query, so a reloaded member is used at once and a
/// missing one acts as deny_all, as in g3.
/// </summary>
public sealed class FailOverResolver(FailOverResolverConfig config, HandleRegistry<IResolver> resolvers, TimeProvider? time = null)
    : IResolver
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public FailOverResolverConfig Config { get; } = config;

    public string Name => Config.Name;

    public async ValueTask<ResolveResult> ResolveAsync(string host, AddressFamily family, CancellationToken ct)
    {
        using var protective = new CancellationTokenSource(Config.ProtectiveQueryTimeout, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, protective.Token);
        try
        {
            var primary = resolvers.Get(Config.Primary).ResolveAsync(host, family, stop.Token).AsTask();
            var standby = resolvers.Get(Config.Standby).ResolveAsync(host, family, stop.Token).AsTask();

            if (await EndsWithinAsync(primary, Config.FallbackDelay, stop.Token).ConfigureAwait(false))
            {
                var early = await primary.ConfigureAwait(false);
                return Valid(early) ? early : await standby.ConfigureAwait(false);
            }
            var first = await Task.WhenAny(primary, standby).ConfigureAwait(false);
            var firstResult = await first.ConfigureAwait(false);
            if (Valid(firstResult)) return firstResult;
            return await (first == primary ? standby : primary).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (protective.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return ResolveResult.Fail(ResolveErrorKind.Timeout,
                $"resolver '{Name}': no answer for {host} within protective_query_timeout");
        }
        finally
        {
            stop.Cancel(); // the member still asked stops waiting (its cache finishes the query)
        }
    }

    private bool Valid(ResolveResult r) => r.Ok || (!Config.RetryEmptyRecord && r.Error == ResolveErrorKind.NoRecord);

    /// <summary>True when <paramref name="task"/> ends within <paramref name="delay"/> on the node's clock.</summary>
    private async Task<bool> EndsWithinAsync(Task task, TimeSpan delay, CancellationToken ct)
    {
        if (task.IsCompleted || delay <= TimeSpan.Zero) return task.IsCompleted;
        using var timerStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var timer = Task.Delay(delay, _time, timerStop.Token);
        var done = await Task.WhenAny(task, timer).ConfigureAwait(false);
        timerStop.Cancel();
        ct.ThrowIfCancellationRequested();
        return done == task;
    }
}
