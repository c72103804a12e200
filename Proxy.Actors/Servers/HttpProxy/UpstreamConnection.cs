using System.IO.Pipelines;
using System.Net.Sockets;
using Proxy.Actors.Escapers;

using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>A connection to an origin that HTTP forward requests go over, reusable between requests.</summary>
internal sealed class UpstreamConnection : IAsyncDisposable
{
    public UpstreamConnection(UpstreamKey key, Socket socket, Stream stream, EscapeResult escape)
    {
        Key = key;
        Socket = socket;
        Stream = stream;
        Escape = escape;
        // No zero-byte reads: an origin connection is only read while a response is due (a pooled
        // idle one has no read pending, so holds no buffer), and the peek would cost a syscall.
        Reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true, useZeroByteReads: false));
    }

    public UpstreamKey Key { get; }
    public Socket Socket { get; }
    public Stream Stream { get; }
    public PipeReader Reader { get; }
    public EscapeResult Escape { get; }
    public long IdleSince { get; set; }
    public int Uses { get; set; }

    /// <summary>A pooled connection is only handed out if the origin has not closed it or sent stray bytes.</summary>
    public bool LooksAlive()
    {
        try
        {
            return Socket.Connected && !Socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await Reader.CompleteAsync().ConfigureAwait(false); } catch (InvalidOperationException) { }
        try { await Stream.DisposeAsync().ConfigureAwait(false); } catch (IOException) { }
        Socket.Dispose();
    }
}
