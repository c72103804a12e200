using System.IO.Pipelines;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Protocols.Icap;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Icap;

/// <summary>Reads from an ICAP connection within a bounded wait: response heads and the encapsulated HTTP heads after them.</summary>
internal static class IcapWire
{
    /// <summary>The next ICAP response head, or an error saying why not (closed, invalid, too large, no answer in time).</summary>
    public static async Task<(IcapResponseHead? Head, string? Error)> ReadHeadAsync(PipeReader reader, int maxSize, TimeSpan wait, TimeProvider time, CancellationToken ct)
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
                return (null, $"no answer from the ICAP server within {wait.TotalSeconds:0.###}s");
            }
            catch (Exception e) when (IoErrors.IsExpected(e) && e is not OperationCanceledException)
            {
                return (null, "ICAP connection failed: " + e.Message);
            }
            var buf = r.Buffer;
            var status = IcapHeadParser.TryParse(buf, maxSize, out var head, out var error);
            if (status == HeadParseStatus.Done)
            {
                reader.AdvanceTo(buf.GetPosition(head!.WireLength));
                return (head, null);
            }
            if (status != HeadParseStatus.Incomplete)
            {
                reader.AdvanceTo(buf.End);
                return (null, "invalid ICAP response: " + error);
            }
            if (r.IsCompleted)
            {
                reader.AdvanceTo(buf.End);
                return (null, "ICAP server closed the connection");
            }
            reader.AdvanceTo(buf.Start, buf.End);
        }
    }

    /// <summary>Exactly <paramref name="length"/> bytes (the encapsulated HTTP heads), within the wait.</summary>
    public static async Task<(byte[]? Bytes, string? Error)> ReadExactAsync(PipeReader reader, int length, TimeSpan wait, TimeProvider time, CancellationToken ct)
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
                return (null, "ICAP server stalled in the encapsulated head");
            }
            catch (Exception e) when (IoErrors.IsExpected(e) && e is not OperationCanceledException)
            {
                return (null, "ICAP connection failed: " + e.Message);
            }
            var buf = r.Buffer;
            if (buf.Length >= length)
            {
                var bytes = System.Buffers.BuffersExtensions.ToArray(buf.Slice(0, length));
                reader.AdvanceTo(buf.GetPosition(length));
                return (bytes, null);
            }
            if (r.IsCompleted)
            {
                reader.AdvanceTo(buf.End);
                return (null, "ICAP server closed the connection in the encapsulated head");
            }
            reader.AdvanceTo(buf.Start, buf.End);
        }
    }
}
