using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Relay;

using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>The client side of one accepted connection, shared by the request handlers on it.</summary>
internal sealed class ClientConnection
{
    public ClientConnection(Socket socket, ActivityTracker activity)
    {
        Socket = socket;
        Stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(Stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 2048, leaveOpen: true, useZeroByteReads: true));
        Activity = activity;
        ClientAddr = socket.RemoteEndPoint as IPEndPoint;
        ServerAddr = socket.LocalEndPoint as IPEndPoint;
        Timer = new PhaseTimer(activity.Token);
    }

    /// <summary>The deadline of the current wait (request head, response head).</summary>
    public PhaseTimer Timer { get; }

    public Socket Socket { get; }
    public NetworkStream Stream { get; }
    private PipeReader? _reader;

    /// <summary>The parser's view of the client; gone once the connection became a tunnel.</summary>
    public PipeReader Reader => _reader ?? throw new InvalidOperationException("the HTTP reader was released");

    /// <summary>Completes the reader and drops it with its pooled segments (idempotent).</summary>
    public void ReleaseReader() => Interlocked.Exchange(ref _reader, null)?.Complete();
    public ActivityTracker Activity { get; }
    public IPEndPoint? ClientAddr { get; }
    public IPEndPoint? ServerAddr { get; }
    /// <summary>
    /// Set when the proxy answered an error and is closing while the client may still be
    /// sending (a body, the rest of an oversized head): the close then drains first.
    /// </summary>
    public bool ClosingAfterError { get; set; }
    /// <summary>Cancelled when the connection is torn down (idle, node stop, actor stop).</summary>
    public CancellationToken Token => Activity.Token;
}
