using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Stats;

namespace Proxy.Actors.Servers.HttpCommon;

/// <summary>The client side of one http_proxy connection, shared by the request handlers on it.</summary>
internal sealed class ClientConnection
{
    /// <param name="peekBeforeRead">
    /// Wait for each request with a zero-byte read first, so an idle connection holds no buffer
    /// (http_proxy: many idle clients). Without it a read waits in a 4 KiB buffer and each request
    /// costs one receive call less (http_rproxy: a few busy keep-alive clients behind a balancer).
    /// </param>
    public ClientConnection(ClientTransport transport, ConnectionScope scope, bool peekBeforeRead = true)
    {
        Transport = transport;
        Scope = scope;
        _reader = PipeReader.Create(transport.Stream, peekBeforeRead
            ? new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 2048, leaveOpen: true, useZeroByteReads: true)
            : new StreamPipeReaderOptions(bufferSize: 4 * 1024, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: false));
        Timer = new PhaseTimer(scope.Token, scope.Time);
    }

    public ClientTransport Transport { get; }
    public ConnectionScope Scope { get; }

    /// <summary>The deadline of the current wait (request head, response head).</summary>
    public PhaseTimer Timer { get; }

    public Stream Stream => Transport.Stream;
    public Socket? Socket => Transport.Socket;
    private PipeReader? _reader;

    /// <summary>The parser's view of the client; gone once the connection became a tunnel.</summary>
    public PipeReader Reader => _reader ?? throw new InvalidOperationException("the HTTP reader was released");

    /// <summary>Completes the reader and drops it with its pooled segments (idempotent).</summary>
    public void ReleaseReader() => Interlocked.Exchange(ref _reader, null)?.Complete();

    // the users whose user.l7.connection.alive this connection holds (g3 counts one per user per connection)
    // (their counters, not the tasks' counts: a connection that many users take turns on keeps one reference each)
    private List<UserServerStats>? _l7;

    /// <summary>The connection is over: its reader released and its users' l7 connections given back.</summary>
    public void Close()
    {
        ReleaseReader();
        if (_l7 is null) return;
        foreach (var stats in _l7) stats.L7Closed();
        _l7 = null;
    }
    public ActivityTracker Activity => Scope.Lifetime;
    public IPEndPoint? ClientAddr => Transport.Facts.ClientAddr;
    /// <summary>Cancelled when the connection is torn down (idle, node stop, actor stop).</summary>
    public CancellationToken Token => Scope.Token;

    /// <summary>The user the current request runs as (null on a server without user_group).</summary>
    public RequestUser? User
    {
        get => _user;
        set
        {
            _user = value;
            // read now, while the request has its user in the cache, not when the response is awaited
            UserRspHeaderRecvTimeout = value?.User.HttpRspHeaderRecvTimeout;
            UserTaskPolicy.Watch(Activity, value?.User);
        }
    }

    /// <summary>The current request's user's http_rsp_header_recv_timeout (null: it sets none, or no user).</summary>
    public TimeSpan? UserRspHeaderRecvTimeout { get; private set; }

    private RequestUser? _user;

    private IDisposable? _requestSlot;

    /// <summary>Holds what the current request occupies (its request_max_alive slot) until <see cref="EndRequest"/>.</summary>
    public void HoldForRequest(IDisposable slot) => _requestSlot = slot;

    public void EndRequest()
    {
        Interlocked.Exchange(ref _requestSlot, null)?.Dispose();
        User = null;
    }

    /// <summary>
    /// The task line of one request: started when its wait began, with the method, the URI cut to
    /// log_uri_max_chars and the User-Agent once a head was read.
    /// </summary>
    public TaskNotes NewRequestTask(string taskType, long startedAt, HttpRequestHead? head, int logUriMaxChars)
    {
        var notes = Scope.NewTask(Transport.Facts, taskType, startedAt);
        if (head is not null)
        {
            notes.Method = head.Method;
            notes.Uri = LoggedUri.Of(head.Target, logUriMaxChars);
            notes.UserAgent = head.Headers.Get("User-Agent");
        }
        return notes;
    }

    /// <summary>A request is over, however it ended: its slot and user released, its task counted and logged.</summary>
    public void FinishRequest(TaskNotes notes, ServerStats stats)
    {
        // A user blocked while this request ran (block_and_delay) ended it at an idle check.
        if (Activity.EndedByCondition) notes.Reason = "CanceledAsUserBlocked";
        EndRequest();
        if (notes.UserCounts is { OpenedL7: true } counts)
        {
            (_l7 ??= []).Add(counts.User);
            if (counts.Site is { } site) _l7.Add(site);
        }
        stats.TaskFinished(notes);
        Scope.FinishTask(notes);
    }
}
