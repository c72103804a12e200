using System.IO.Pipelines;
using System.Net.Sockets;

namespace Proxy.Actors.Escapers.Http;

/// <summary>
/// A connection HTTP forward requests go over, leased from an escaper: to the origin (origin-form
/// requests) or to a next-hop proxy (absolute-form, with the escaper's extra fields such as
/// Proxy-Authorization). The server hands it back with <see cref="ReleaseAsync"/>; a reusable one
/// returns to the escaper's keep-alive pool.
/// </summary>
public sealed class HttpUpstream : IAsyncDisposable
{
    private readonly HttpUpstreamPool? _pool;

    internal HttpUpstream(string key, Socket? socket, Stream stream, EscapeResult facts, HttpUpstreamPool? pool,
        bool absoluteForm = false, IReadOnlyList<KeyValuePair<string, string>>? extraHeaders = null)
    {
        Key = key;
        Socket = socket;
        Stream = stream;
        Facts = facts;
        _pool = pool;
        AbsoluteForm = absoluteForm;
        ExtraHeaders = extraHeaders ?? [];
        // No zero-byte reads: an upstream is only read while a response is due (a pooled idle one
        // has no read pending, so holds no buffer), and the peek would cost a syscall.
        Reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true, useZeroByteReads: false));
    }

    /// <summary>Which pooled connections are interchangeable (scheme, host and port; or the next proxy).</summary>
    public string Key { get; }
    public Socket? Socket { get; }
    public Stream Stream { get; }
    public PipeReader Reader { get; }
    /// <summary>What the escaper reported when this connection was made (peer, bound address, limit).</summary>
    public EscapeResult Facts { get; }
    /// <summary>Requests go in absolute form (a next-hop HTTP proxy), not origin form.</summary>
    public bool AbsoluteForm { get; }
    /// <summary>Fields the escaper adds to every request (Proxy-Authorization to a next proxy).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ExtraHeaders { get; }
    /// <summary>What a pooled take hands out (the facts with this lease), made once per connection rather than per request.</summary>
    internal EscapeResult Lease => _lease ??= Facts with { Http = this, Stream = null, Socket = null };
    private EscapeResult? _lease;
    internal long IdleSince { get; set; }
    internal TimeSpan IdleExpire { get; set; }
    public int Uses { get; set; }
    /// <summary>Taken from the pool rather than connected for this request.</summary>
    public bool Reused => Uses > 1;

    /// <summary>A pooled connection is only handed out if the peer has not closed it or sent stray bytes.</summary>
    public bool LooksAlive()
    {
        if (Socket is null) return true;
        try
        {
            return Socket.Connected && !Socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Ends the lease: back to the pool when the exchange left it clean, else closed.</summary>
    public ValueTask ReleaseAsync(bool reusable)
    {
        if (reusable && _pool is not null && _pool.Return(this)) return ValueTask.CompletedTask;
        return DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try { await Reader.CompleteAsync().ConfigureAwait(false); } catch (InvalidOperationException) { }
        try { await Stream.DisposeAsync().ConfigureAwait(false); } catch (IOException) { }
        Socket?.Dispose();
    }
}
