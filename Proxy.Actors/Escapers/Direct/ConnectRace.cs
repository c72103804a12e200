using System.Net.Sockets;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers.Direct;

/// <summary>How a race ended: a winner, or the last failure (null when nothing was tried).</summary>
internal sealed record RaceOutcome(ConnectAttemptResult? Winner, ConnectAttemptResult? LastFailure, int Tries, bool SecondFamilyTimedOut);

/// <summary>
/// The connect half of happy eyeballs (RFC 8305 section 5, g3's happy_try_connect): start
/// an attempt; start the next one when it fails or when connection_attempt_delay passes
/// without an answer; the first connected socket wins and the rest are dropped. The other
/// family's late answer is merged into the queue as it arrives. Plain async code on the
/// connection task: no actor messages, no threads of its own.
/// </summary>
internal sealed class ConnectRace
{
    private readonly ISocketConnector _connector;
    private readonly TcpConnectConfig _tcp;
    private readonly HappyEyeballsConfig _he;
    private readonly TimeProvider _time;
    private readonly TcpSocketSetup? _setup;

    public ConnectRace(ISocketConnector connector, TcpConnectConfig tcp, HappyEyeballsConfig he, TimeProvider time, TcpSocketSetup? setup = null)
    {
        _setup = setup;
        _connector = connector;
        _tcp = tcp;
        _he = he;
        _time = time;
    }

    /// <param name="attemptDelay">Infinite for sequential tries (an IP target).</param>
    public async Task<RaceOutcome> RunAsync(
        ConnectCandidates candidates, int port, Task<ResolveResult>? pending, TimeSpan attemptDelay, CancellationToken ct)
    {
        var running = new List<Task<ConnectAttemptResult>>();
        using var raceCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        CancellationTokenSource? delayCts = null;
        Task? delay = null;
        ConnectAttemptResult? lastFailure = null;
        var mayStart = true;
        var tries = 0;
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (mayStart && candidates.TryNext(tries, pending is not null, out var next))
                {
                    tries++;
                    mayStart = false;
                    running.Add(ConnectAttempt.RunAsync(_connector, next, port, _tcp.EachTimeout, _time, raceCts.Token, _setup));
                    (delayCts, delay) = RestartDelay(delayCts, attemptDelay, raceCts.Token);
                }

                if (running.Count == 0)
                {
                    if (pending is null) return new(null, lastFailure, tries, SecondFamilyTimedOut: false);
                    // Everything tried so far failed; g3 gives the other family
                    // second_resolution_timeout to bring new addresses.
                    if (!await TargetResolution.CompletesWithin(pending, _he.SecondResolutionTimeout, _time, ct).ConfigureAwait(false))
                        return new(null, lastFailure, tries, SecondFamilyTimedOut: true);
                    await MergePending(candidates, pending, tries).ConfigureAwait(false);
                    pending = null;
                    mayStart = true;
                    continue;
                }

                var waits = new List<Task>(running.Count + 2);
                waits.AddRange(running);
                if (delay is not null) waits.Add(delay);
                if (pending is not null) waits.Add(pending);
                var done = await Task.WhenAny(waits).ConfigureAwait(false);

                if (done == pending)
                {
                    await MergePending(candidates, pending, tries).ConfigureAwait(false);
                    pending = null;
                    continue;
                }
                if (done == delay)
                {
                    delay = null;
                    mayStart = true;
                    continue;
                }

                var attempt = (Task<ConnectAttemptResult>)done;
                running.Remove(attempt);
                var result = await attempt.ConfigureAwait(false);
                if (result.Socket is not null) return new(result, null, tries, SecondFamilyTimedOut: false);
                if (!result.Abandoned) lastFailure = result;
                mayStart = true;
            }
        }
        finally
        {
            // Losers: stop them, and close any socket one of them still manages to open.
            raceCts.Cancel();
            delayCts?.Dispose();
            foreach (var loser in running) _ = DisposeWhenDone(loser);
        }
    }

    private (CancellationTokenSource?, Task?) RestartDelay(CancellationTokenSource? old, TimeSpan attemptDelay, CancellationToken raceToken)
    {
        old?.Cancel();
        old?.Dispose();
        if (attemptDelay == Timeout.InfiniteTimeSpan) return (null, null);
        var cts = CancellationTokenSource.CreateLinkedTokenSource(raceToken);
        var task = Task.Delay(attemptDelay, _time, cts.Token)
            .ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return (cts, task);
    }

    /// <summary>Folds the other family in; a failed second lookup just adds nothing.</summary>
    private static async Task MergePending(ConnectCandidates candidates, Task<ResolveResult> pending, int tries)
    {
        var other = await pending.ConfigureAwait(false); // already complete; throws only if the caller cancelled
        if (other.Ok) candidates.Merge(other.Addresses, tries);
    }

    private static async Task DisposeWhenDone(Task<ConnectAttemptResult> attempt)
    {
        var r = await attempt.ConfigureAwait(false);
        r.Socket?.Dispose();
    }
}
