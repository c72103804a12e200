using System.Buffers;
using System.IO.Pipelines;
using Proxy.Actors.Protocols;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>How reading one protocol message off a side of an intercepted stream ended.</summary>
internal enum MessageRead { Done, Closed, TimedOut, Invalid, Failed }

/// <summary>A pure parser over what a side has sent so far (lines, replies).</summary>
internal delegate ParseResult<T> MessageParser<T>(in ReadOnlySequence<byte> buffer);

/// <summary>
/// Reads one message of a line protocol (SMTP, IMAP) with a wait limit, keeping its raw bytes so the
/// interceptor passes it on unchanged; what follows it stays in the reader for the next message.
/// </summary>
internal static class PipeMessageReader
{
    public static async Task<(MessageRead Status, T? Value, byte[]? Raw)> ReadAsync<T>(
        PipeReader reader, MessageParser<T> parse, TimeSpan limit, TunnelAudit audit, CancellationToken stop = default)
    {
        using var timeout = new CancellationTokenSource(limit, audit.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(audit.Token, timeout.Token, stop);
        while (true)
        {
            ReadResult r;
            try
            {
                r = await reader.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !audit.Token.IsCancellationRequested && !stop.IsCancellationRequested)
            {
                return (MessageRead.TimedOut, default, null);
            }
            catch (OperationCanceledException)
            {
                return (MessageRead.Failed, default, null);
            }
            catch (Exception e) when (IoErrors.IsExpected(e))
            {
                return (MessageRead.Failed, default, null);
            }
            var buffer = r.Buffer;
            var parsed = parse(buffer);
            if (parsed.IsDone)
            {
                var raw = buffer.Slice(0, parsed.Consumed).ToArray();
                reader.AdvanceTo(buffer.GetPosition(parsed.Consumed));
                audit.Activity.Touch();
                return (MessageRead.Done, parsed.Value, raw);
            }
            if (parsed.Status != ParseStatus.NeedMore)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return (MessageRead.Invalid, default, null);
            }
            if (r.IsCompleted)
            {
                var empty = buffer.IsEmpty;
                reader.AdvanceTo(buffer.End);
                return (empty ? MessageRead.Closed : MessageRead.Invalid, default, null);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>One CRLF- (or LF-) terminated line, bounded by <paramref name="maxLength"/>.</summary>
    public static ParseResult<int> Line(in ReadOnlySequence<byte> buffer, int maxLength)
    {
        var at = buffer.PositionOf((byte)'\n');
        if (at is null) return buffer.Length > maxLength ? ParseResult<int>.TooLarge("line too long") : ParseResult<int>.NeedMore;
        var length = buffer.Slice(0, at.Value).Length + 1;
        return length > maxLength ? ParseResult<int>.TooLarge("line too long") : ParseResult<int>.Done((int)length, length);
    }

    /// <summary>What the reader holds and nobody has read (handed on before a plain relay or a TLS layer).</summary>
    public static byte[] Drain(PipeReader reader)
    {
        if (!reader.TryRead(out var r)) return [];
        var left = r.Buffer.ToArray();
        reader.AdvanceTo(r.Buffer.End);
        return left;
    }
}
