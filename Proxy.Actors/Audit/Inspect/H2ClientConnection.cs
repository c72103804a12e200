using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// The decrypted client stream of one intercepted h2 connection, as Kestrel takes a connection:
/// pipes over the stream (left open: TLS interception owns it), the task's <see cref="H2Session"/>
/// among its features for the request handler, and a completion the interceptor waits on, set
/// when Kestrel is done with the connection.
/// </summary>
internal sealed class H2ClientConnection : ConnectionContext
{
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PipeReader _input;
    private readonly PipeWriter _output;

    public H2ClientConnection(Stream stream, H2Session session, EndPoint? local, EndPoint? remote)
    {
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 2048, leaveOpen: true));
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        Transport = new DuplexPipe(_input, _output);
        Features.Set(session);
        Session = session;
        LocalEndPoint = local;
        RemoteEndPoint = remote;
    }

    public H2Session Session { get; }

    /// <summary>Completes once Kestrel has disposed the connection (the client left, or it was aborted).</summary>
    public Task Done => _done.Task;

    public override string ConnectionId { get; set; } = Guid.NewGuid().ToString("N");
    public override IFeatureCollection Features { get; } = new FeatureCollection();
    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();
    public override IDuplexPipe Transport { get; set; }
    public override CancellationToken ConnectionClosed { get => _closed.Token; set { } }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        // A pending read of the stream is what keeps Kestrel's connection alive: cancel it.
        _input.CancelPendingRead();
        _closed.Cancel();
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await _input.CompleteAsync().ConfigureAwait(false);
            // Completing the writer flushes what is left to the client, which may be gone already.
            await _output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            // the client left first: nothing more to send it
        }
        finally
        {
            // _closed is not disposed: Kestrel may still read ConnectionClosed; it holds no timer.
            _done.TrySetResult();
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }
}
