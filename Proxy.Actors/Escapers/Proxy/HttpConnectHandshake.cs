using System.Buffers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Escapers.Proxy;

/// <summary>The outcome of a CONNECT to a next-hop proxy: the tunnel stream, or why not.</summary>
internal readonly record struct ConnectHandshakeResult(Stream? Tunnel, EscapeErrorKind Error, string? Reason, int Status = 0);

/// <summary>
/// Asks a next-hop HTTP proxy for a tunnel: <c>CONNECT host:port</c> with the escaper's fields,
/// then its reply head read with the one HTTP/1 parser. A 2xx opens the tunnel; bytes the proxy
/// sent after the head (a server-first protocol) are kept in front of the stream.
/// </summary>
internal static class HttpConnectHandshake
{
    private const int MaxFields = 128;

    public static async Task<ConnectHandshakeResult> RunAsync(
        Stream stream, UpstreamAddr target, IReadOnlyList<KeyValuePair<string, string>> fields, int maxHeaderSize, CancellationToken ct)
    {
        var authority = target.ToString();
        using (var w = new HeadWriter(256))
        {
            w.Append("CONNECT ").Append(authority).Append(" HTTP/1.1\r\n"u8).Field("Host", authority);
            foreach (var f in fields) w.Field(f.Key, f.Value);
            w.End();
            try
            {
                await stream.WriteAsync(w.Written, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && IoErrors.IsExpected(e))
            {
                return new(null, EscapeErrorKind.ConnectFailed, "write CONNECT to next proxy failed: " + e.Message);
            }
        }

        // The head must fit max_header_size (g3's http_connect_rsp_header_max_size): one bounded buffer.
        var buffer = new byte[maxHeaderSize];
        var filled = 0;
        while (true)
        {
            int n;
            try
            {
                n = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && IoErrors.IsExpected(e))
            {
                return new(null, EscapeErrorKind.ConnectFailed, "read CONNECT reply from next proxy failed: " + e.Message);
            }
            if (n == 0) return new(null, EscapeErrorKind.PeerRefused, "next proxy closed the connection before its CONNECT reply");
            filled += n;
            var status = HttpHeadParser.TryParseResponse(new ReadOnlySequence<byte>(buffer, 0, filled), maxHeaderSize, MaxFields, out var head, out var error);
            if (status == HeadParseStatus.Incomplete && filled < buffer.Length) continue;
            if (status != HeadParseStatus.Done)
                return new(null, EscapeErrorKind.PeerRefused, "invalid CONNECT reply from next proxy: " + (error ?? "header too large"));
            return Reply(head!, stream, buffer.AsMemory(head!.WireLength, filled - head.WireLength));
        }
    }

    private static ConnectHandshakeResult Reply(HttpResponseHead head, Stream stream, ReadOnlyMemory<byte> leftover)
    {
        if (head.Status is >= 200 and < 300)
            return new(leftover.IsEmpty ? stream : new PrefixedStream(leftover.ToArray(), stream), EscapeErrorKind.None, null, head.Status);
        var reason = $"next proxy replied {head.Status} {head.Reason} to CONNECT";
        // As g3: a gateway timeout from the next proxy is a timeout, anything else a refusal.
        var kind = head.Status is 504 or 522 or 524 ? EscapeErrorKind.ConnectTimeout : EscapeErrorKind.PeerRefused;
        return new(null, kind, reason, head.Status);
    }
}
