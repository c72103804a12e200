using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Protocols.Icap;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Icap;

public enum BodyMode { None, Raw, Chunked }

public enum BodyWrite { Done, SourceFailed, DestinationFailed }

/// <summary>
/// Sends an HTTP message whose body is content (an <see cref="IcapResult.Body"/>): the head, then
/// the body as the head frames it, raw or chunked. Heads of messages whose body came from the
/// ICAP server are re-framed, since its length may differ from the original's.
/// </summary>
public static class IcapBodyWriter
{
    public static async Task<(BodyWrite Status, long BodyBytes)> WriteAsync(
        Stream destination, ReadOnlyMemory<byte> head, Stream? body, BodyMode mode, ActivityTracker? activity, CancellationToken ct)
    {
        if (!await TryAsync(destination, head, ct).ConfigureAwait(false)) return (BodyWrite.DestinationFailed, 0);
        if (body is null || mode == BodyMode.None) return (BodyWrite.Done, 0);
        var buf = new byte[16 * 1024];
        long total = 0;
        while (true)
        {
            int n;
            try
            {
                n = await body.ReadAsync(buf, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (IoErrors.IsExpected(e))
            {
                return (BodyWrite.SourceFailed, total);
            }
            if (n == 0) break;
            total += n;
            activity?.Touch();
            var ok = mode == BodyMode.Raw
                ? await TryAsync(destination, buf.AsMemory(0, n), ct).ConfigureAwait(false)
                : await TryAsync(destination, IcapChunks.SizeLine(n), ct).ConfigureAwait(false)
                  && await TryAsync(destination, buf.AsMemory(0, n), ct).ConfigureAwait(false)
                  && await TryAsync(destination, IcapChunks.Crlf, ct).ConfigureAwait(false);
            if (!ok) return (BodyWrite.DestinationFailed, total);
        }
        if (mode == BodyMode.Chunked && !await TryAsync(destination, IcapChunks.Last, ct).ConfigureAwait(false))
            return (BodyWrite.DestinationFailed, total);
        return (BodyWrite.Done, total);
    }

    /// <summary>The original body is re-sent as its head framed it: chunked stays chunked (new chunk sizes), a length stays raw.</summary>
    public static BodyMode OriginalMode(BodyFraming framing) => framing.Kind switch
    {
        BodyKind.None => BodyMode.None,
        BodyKind.Chunked => BodyMode.Chunked,
        _ => BodyMode.Raw,
    };

    /// <summary>A request from the ICAP server for the upstream: chunked when it has a body.</summary>
    public static (byte[] Head, BodyMode Mode) Request(HttpRequestHead req, bool hasBody)
    {
        req.Headers.Remove("Content-Length");
        req.Headers.Remove("Transfer-Encoding");
        if (hasBody) req.Headers.Set("Transfer-Encoding", "chunked");
        return (IcapRequestHead.Encode(req), hasBody ? BodyMode.Chunked : BodyMode.None);
    }

    /// <summary>
    /// A response from the ICAP server for the client: chunked to an HTTP/1.1 client, delimited by
    /// the close to an HTTP/1.0 one (<paramref name="close"/> tells the caller to end the connection).
    /// </summary>
    public static (byte[] Head, BodyMode Mode, bool Close) Response(HttpRequestHead req, HttpResponseHead rsp, bool hasBody)
    {
        var h = rsp.Headers;
        h.Remove("Content-Length");
        h.Remove("Transfer-Encoding");
        var noBody = req.Method == "HEAD" || rsp.Status is < 200 or 204 or 304;
        var mode = BodyMode.None;
        var close = h.HasToken("Connection", "close");
        if (noBody) { }
        else if (!hasBody) h.Set("Content-Length", "0");
        else if (req.Version == 11) { h.Set("Transfer-Encoding", "chunked"); mode = BodyMode.Chunked; }
        else { h.Set("Connection", "close"); mode = BodyMode.Raw; close = true; }
        var head = new HttpResponseHead { Version = 11, Status = rsp.Status, Reason = rsp.Reason, WireLength = 0 };
        foreach (var f in h.Fields) head.Headers.Add(f.Key, f.Value);
        return (IcapRequestHead.Encode(head), mode, close);
    }

    private static async Task<bool> TryAsync(Stream destination, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        try
        {
            await destination.WriteAsync(data, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            return false;
        }
    }
}
