using System.IO.Pipelines;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.HttpCommon;

namespace Proxy.Actors.Audit.Icap;

/// <summary>
/// A framed HTTP body on a connection (Content-Length, chunked, until close) as a plain stream of
/// its content, so ICAP sends and receives payload bytes whatever the framing. The shared body
/// forwarder decodes into a pipe whose pause threshold bounds what is held in memory.
/// </summary>
internal sealed class DecodedBody : IAsyncDisposable
{
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
    private readonly CancellationTokenSource _cts;

    private DecodedBody(CancellationToken ct)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Stream = _pipe.Reader.AsStream();
    }

    /// <summary>The body's content; it ends where the body ends and throws if the body broke off.</summary>
    public Stream Stream { get; }
    /// <summary>The copy's outcome: its bytes read from the wire tell the task's stats.</summary>
    public Task<BodyCopyResult> Completion { get; private set; } = null!;

    public static DecodedBody Start(BodyFraming framing, PipeReader source, int maxLineLength, ActivityTracker? activity, CancellationToken ct)
    {
        var body = new DecodedBody(ct);
        body.Completion = body.PumpAsync(framing, source, maxLineLength, activity);
        return body;
    }

    private async Task<BodyCopyResult> PumpAsync(BodyFraming framing, PipeReader source, int maxLineLength, ActivityTracker? activity)
    {
        await Task.Yield();
        var sink = _pipe.Writer.AsStream(leaveOpen: true);
        BodyCopyResult result;
        try
        {
            result = await BodyForwarder.CopyAsync(framing, source, sink, decodeChunked: true, maxLineLength, limiter: null, activity, _cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            result = new BodyCopyResult(BodyCopyStatus.SourceFailed, 0, 0);
        }
        await _pipe.Writer.CompleteAsync(result.Ok ? null : new IOException("body broke off: " + result.Status)).ConfigureAwait(false);
        return result;
    }

    /// <summary>Reads a chunked ICAP body to its end and drops it (an OPTIONS body).</summary>
    public static async Task<bool> DrainAsync(PipeReader source, int maxLineLength, CancellationToken ct) =>
        (await BodyForwarder.CopyAsync(new BodyFraming(BodyKind.Chunked, -1), source, Stream.Null, decodeChunked: true, maxLineLength, null, null, ct).ConfigureAwait(false)).Ok;

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await Completion.ConfigureAwait(false);
        }
        catch (Exception e) when (IoErrors.IsExpected(e) || e is OperationCanceledException)
        {
            // The body was abandoned; its error is already the caller's.
        }
        await _pipe.Reader.CompleteAsync().ConfigureAwait(false);
        _cts.Dispose();
    }
}
