using System.IO.Pipelines;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Protocols.Icap;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Icap;

/// <summary>Reads from an ICAP connection within a bounded wait: response heads and the encapsulated HTTP heads after them.</summary>
internal static class IcapWire
{
    /// <summary>The next ICAP response head, or an error saying why not (closed, invalid, too large, no answer in time).</summary>
    public static Task<(IcapResponseHead? Head, string? Error)> ReadHeadAsync(PipeReader reader, int maxSize, TimeSpan wait, TimeProvider time, CancellationToken ct) =>
        ReadAsync<IcapResponseHead>(reader, wait, time, "no answer from the ICAP server within " + wait.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "s", (buf, completed) =>
        {
            var status = IcapHeadParser.TryParse(buf, maxSize, out var head, out var error);
            if (status == HeadParseStatus.Done) return (Step.Done, head, null, head!.WireLength);
            if (status != HeadParseStatus.Incomplete) return (Step.Failed, null, "invalid ICAP response: " + error, buf.Length);
            return completed ? (Step.Failed, null, "ICAP server closed the connection", buf.Length) : (Step.More, null, null, 0);
        }, ct);

    /// <summary>Exactly <paramref name="length"/> bytes (the encapsulated HTTP heads), within the wait.</summary>
    public static Task<(byte[]? Bytes, string? Error)> ReadExactAsync(PipeReader reader, int length, TimeSpan wait, TimeProvider time, CancellationToken ct) =>
        ReadAsync<byte[]>(reader, wait, time, "ICAP server stalled in the encapsulated head", (buf, completed) =>
        {
            if (buf.Length >= length) return (Step.Done, System.Buffers.BuffersExtensions.ToArray(buf.Slice(0, length)), null, length);
            return completed ? (Step.Failed, null, "ICAP server closed the connection in the encapsulated head", buf.Length) : (Step.More, null, null, 0);
        }, ct);

    private enum Step { More, Done, Failed }

    /// <summary>Reads until <paramref name="step"/> decides, which says how many bytes it took; the wait bounds the whole read.</summary>
    private static async Task<(T? Value, string? Error)> ReadAsync<T>(
        PipeReader reader, TimeSpan wait, TimeProvider time, string stalled,
        Func<System.Buffers.ReadOnlySequence<byte>, bool, (Step Step, T? Value, string? Error, long Consumed)> step, CancellationToken ct)
        where T : class
    {
        using var limit = new CancellationTokenSource(wait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        while (true)
        {
            ReadResult r;
            try
            {
                r = await reader.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return (null, stalled);
            }
            catch (Exception e) when (IoErrors.IsExpected(e) && e is not OperationCanceledException)
            {
                return (null, "ICAP connection failed: " + e.Message);
            }
            var buf = r.Buffer;
            var (next, value, error, consumed) = step(buf, r.IsCompleted);
            if (next == Step.More)
            {
                reader.AdvanceTo(buf.Start, buf.End);
                continue;
            }
            reader.AdvanceTo(buf.GetPosition(consumed));
            return (value, error);
        }
    }
}
