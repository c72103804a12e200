using System.Net.Sockets;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Resolvers.Cache;
using Proxy.Actors.Resolvers.Wire;

namespace Proxy.Actors.Resolvers.Hickory;

/// <summary>
/// The upstream side of g3's <c>hickory</c> resolver, with g3's schedule: the first server is
/// asked at once and each next one retry_interval later, while earlier ones may still answer;
/// the first NOERROR reply wins; when every server has answered with an error, the last error
/// is the answer; after the last server was asked, replies are awaited each_timeout minus
/// retry_interval more. Each server gets each_tries tries when its transport fails (a reply
/// of any rcode ends its tries). Every outcome is a value; only cancellation throws.
/// </summary>
internal sealed class HickoryDriver(IReadOnlyList<IDnsExchange> servers, HickoryResolverConfig config, TimeProvider time)
{
    private readonly record struct ServerOutcome(DriverAnswer Answer, bool NoError);

    public async Task<DriverAnswer> QueryAsync(string host, AddressFamily family, CancellationToken ct)
    {
        var type = family == AddressFamily.InterNetworkV6 ? DnsWire.TypeAaaa : DnsWire.TypeA;
        var name = DnsReplyResult.TypeName(type);
        if (servers.Count == 0) return DnsReplyResult.Fail(ResolveErrorKind.ServerFailure, "no name server configured");
        if (DnsWire.Query(0, host, type) is null) return DnsReplyResult.Fail(ResolveErrorKind.Malformed, $"{name} {host}: not a valid name");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            var pending = new List<Task<ServerOutcome>> { AskAsync(servers[0], host, type, stop.Token) };
            var started = 1;
            var answered = 0;
            DriverAnswer? lastError = null;
            var begin = time.GetTimestamp();
            while (true)
            {
                // Ticks fall at retry_interval, 2x, 3x...: tick k starts server k; the tick after the last start ends this phase.
                var done = await NextAsync(pending, config.RetryInterval * started - time.GetElapsedTime(begin), stop.Token)
                    .ConfigureAwait(false);
                if (done is null)
                {
                    if (started == servers.Count) break;
                    pending.Add(AskAsync(servers[started++], host, type, stop.Token));
                    continue;
                }
                pending.Remove(done);
                answered++;
                var outcome = await done.ConfigureAwait(false);
                if (outcome.NoError || answered == servers.Count) return outcome.Answer;
                lastError = outcome.Answer;
            }
            // Every server was asked: the ones still out get the rest of each_timeout.
            var rest = config.EachTimeout - config.RetryInterval;
            if (pending.Count > 0 && rest > TimeSpan.Zero &&
                await NextAsync(pending, rest, stop.Token).ConfigureAwait(false) is { } late)
                return (await late.ConfigureAwait(false)).Answer;
            return lastError ?? DnsReplyResult.Fail(ResolveErrorKind.Timeout, $"{name} {host}: no answer within each_timeout");
        }
        finally
        {
            stop.Cancel(); // the servers still out stop waiting
        }
    }

    /// <summary>The first of <paramref name="pending"/> to finish within <paramref name="wait"/>, or null.</summary>
    private async Task<Task<ServerOutcome>?> NextAsync(List<Task<ServerOutcome>> pending, TimeSpan wait, CancellationToken ct)
    {
        if (wait <= TimeSpan.Zero) return pending.FirstOrDefault(t => t.IsCompleted);
        using var timerStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var timer = Task.Delay(wait, time, timerStop.Token);
        var done = await Task.WhenAny([.. pending, timer]).ConfigureAwait(false);
        timerStop.Cancel();
        ct.ThrowIfCancellationRequested();
        return done == timer ? null : (Task<ServerOutcome>)done;
    }

    private async Task<ServerOutcome> AskAsync(IDnsExchange server, string host, ushort type, CancellationToken ct)
    {
        var name = DnsReplyResult.TypeName(type);
        DriverAnswer failure = default;
        for (var attempt = 0; attempt < Math.Max(1, config.EachTries); attempt++)
        {
            var id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
            var result = await server.ExchangeAsync(DnsWire.Query(id, host, type)!, id, type, ct).ConfigureAwait(false);
            if (result.Reply is { } reply)
                return new(DnsReplyResult.ToAnswer(reply, host, type, server.Server), reply.ResponseCode == 0);
            failure = DnsReplyResult.Fail(
                result.Failure == DnsExchangeFailure.Timeout ? ResolveErrorKind.Timeout : ResolveErrorKind.ServerFailure,
                $"{name} {host}: {result.Error}");
        }
        return new(failure, false);
    }
}
