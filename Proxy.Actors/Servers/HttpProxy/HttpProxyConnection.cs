using System.IO.Pipelines;
using Proxy.Actors.Logging;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.Common;

using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>
/// Serves one client connection of an http_proxy server: reads request heads (keep-alive,
/// one after another), hands each to the forward or CONNECT handler, and ends the connection
/// on close, timeout, bad input or tunnel. Plain async code: no actor on this path.
/// </summary>
public static class HttpProxyConnection
{
    private enum HeadRead { Ok, Closed, IdleTimeout, HeaderTimeout, TooLarge, Invalid }

    public static async Task RunAsync(HttpProxyServerContext ctx, ClientTransport transport, ConnectionScope scope)
    {
        var client = new ClientConnection(transport, scope);
        var activity = scope.Lifetime;
        var stats = ctx.Server.Stats;
        using var timer = client.Timer;
        var group = ctx.Server.UserGroup;
        var login = group is null ? null : new ProxyLogin();
        try
        {
            var first = true;
            while (!client.Token.IsCancellationRequested)
            {
                var waitStart = ctx.Time.GetTimestamp();
                var (status, head, error) = await ReadHeadAsync(ctx, client, first).ConfigureAwait(false);
                if (status is HeadRead.Closed or HeadRead.IdleTimeout) return;
                var notes = NewNotes(ctx, client, first ? scope.AcceptedAt : waitStart, head);
                if (status != HeadRead.Ok)
                {
                    var code = status switch { HeadRead.TooLarge => 431, HeadRead.HeaderTimeout => 408, _ => 400 };
                    notes.Reason = status == HeadRead.HeaderTimeout ? "ClientAppTimeout" : "InvalidClientProtocol";
                    notes.Stage = "Preparing";
                    if (!ctx.Config.NoEarlyErrorReply)
                        await HttpReply.RefuseAsync(client, notes, code, 11, headRequest: false, close: true).ConfigureAwait(false);
                    notes.Reason ??= error is null ? "Finished" : "InvalidClientProtocol";
                    scope.FinishTask(notes);
                    return;
                }
                notes.Bytes.ClientRead += head!.WireLength;
                activity.Touch();
                stats.TaskStarted(notes);
                bool keepAlive;
                try
                {
                    if (login is not null)
                    {
                        var (user, loginKeepAlive) = await login.CheckAsync(ctx, group!, client, head, notes).ConfigureAwait(false);
                        client.User = user;
                        if (user is null)
                        {
                            if (!loginKeepAlive) return;
                            first = false;
                            continue;
                        }
                    }
                    if (!RequestEgressPath.TryApply(ctx, head, notes))
                    {
                        notes.Reason = "InvalidClientProtocol";
                        notes.Stage = "Preparing";
                        await HttpReply.RefuseAsync(client, notes, 400, head.Version, head.Method == "HEAD", close: true).ConfigureAwait(false);
                        return;
                    }
                    if (head.IsConnect)
                    {
                        var tunnel = await HttpConnectHandler.OpenAsync(ctx, client, head, notes).ConfigureAwait(false);
                        // The request is done with: a tunnel may idle for hours, so keep nothing of it.
                        head = null;
                        if (tunnel is not null)
                        {
                            try
                            {
                                notes.Reason = (await HttpConnectHandler.RelayAsync(ctx, client, tunnel, notes).ConfigureAwait(false)).ToString();
                                notes.Stage = "Finished";
                            }
                            finally
                            {
                                await tunnel.DisposeUpstreamAsync().ConfigureAwait(false);
                            }
                        }
                        keepAlive = false;
                    }
                    else
                    {
                        keepAlive = await HttpForwardHandler.RunAsync(ctx, client, head, notes).ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (activity.EndedByCondition) notes.Reason = "CanceledAsUserBlocked";
                    client.EndRequest();
                    stats.TaskFinished(notes);
                    scope.FinishTask(notes);
                }
                if (!keepAlive) return;
                first = false;
            }
        }
        finally
        {
            client.ReleaseReader();
        }
    }

    private static TaskNotes NewNotes(HttpProxyServerContext ctx, ClientConnection client, long startedAt, HttpRequestHead? head)
    {
        var notes = client.Scope.NewTask(client.Transport.Facts, "TcpConnect", startedAt);
        if (head is not null)
        {
            notes.TaskType = head.IsConnect ? "TcpConnect" : "HttpForward";
            notes.Method = head.Method;
            var uri = head.Target;
            notes.Uri = uri.Length > ctx.Config.LogUriMaxChars ? uri[..ctx.Config.LogUriMaxChars] : uri;
            notes.UserAgent = head.Headers.Get("User-Agent");
        }
        return notes;
    }

    /// <summary>
    /// Waits for the next request head. Before its first byte the wait is the keep-alive idle
    /// timeout (or the header timeout on a fresh connection); from the first byte on, the whole
    /// head must arrive within req_header_recv_timeout — a slow sender gets 408.
    /// </summary>
    private static async Task<(HeadRead, HttpRequestHead?, string?)> ReadHeadAsync(
        HttpProxyServerContext ctx, ClientConnection client, bool first)
    {
        var cfg = ctx.Config;
        var reader = client.Reader;
        var started = false;
        var deadline = client.Timer.Arm(first ? cfg.ReqHeaderRecvTimeout : cfg.PipelineReadIdleTimeout);
        try
        {
            while (true)
            {
                ReadResult r;
                try
                {
                    r = await reader.ReadAsync(deadline).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!client.Token.IsCancellationRequested)
                {
                    return (started ? HeadRead.HeaderTimeout : (first ? HeadRead.HeaderTimeout : HeadRead.IdleTimeout), null, "request header timed out");
                }
                catch (Exception e) when (IoErrors.IsExpected(e))
                {
                    return (HeadRead.Closed, null, null);
                }
                var buffer = r.Buffer;
                if (!started && !buffer.IsEmpty)
                {
                    started = true;
                    if (!first) client.Timer.Extend(cfg.ReqHeaderRecvTimeout);
                }
                var status = HttpHeadParser.TryParseRequest(buffer, cfg.ReqHeaderMaxSize, cfg.ReqHeaderMaxCount, out var head, out var error);
                switch (status)
                {
                    case HeadParseStatus.Done:
                        reader.AdvanceTo(buffer.GetPosition(head!.WireLength));
                        return (HeadRead.Ok, head, null);
                    case HeadParseStatus.TooLarge:
                        reader.AdvanceTo(buffer.End);
                        return (HeadRead.TooLarge, null, error);
                    case HeadParseStatus.Invalid:
                        reader.AdvanceTo(buffer.End);
                        return (HeadRead.Invalid, null, error);
                }
                if (r.IsCompleted)
                {
                    reader.AdvanceTo(buffer.End);
                    return buffer.IsEmpty ? (HeadRead.Closed, null, null) : (HeadRead.Invalid, null, "connection closed inside request head");
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            client.Timer.Disarm();
        }
    }
}
