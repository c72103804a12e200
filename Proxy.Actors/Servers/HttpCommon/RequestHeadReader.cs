using System.IO.Pipelines;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.HttpCommon;

internal enum HeadRead { Ok, Closed, IdleTimeout, HeaderTimeout, TooLarge, Invalid }

/// <summary>Reads request heads off an HTTP server's client connection, one after another (keep-alive).</summary>
internal static class RequestHeadReader
{
    /// <summary>
    /// Waits for the next request head. Before its first byte the wait is the keep-alive idle
    /// timeout (or the header timeout on a fresh connection); from the first byte on, the whole
    /// head must arrive within req_header_recv_timeout — a slow sender gets 408.
    /// </summary>
    public static async Task<(HeadRead, HttpRequestHead?, string?)> ReadAsync(
        HttpServerConfig cfg, ClientConnection client, bool first)
    {
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

    /// <summary>
    /// A head that could not be read: 431, 408 or 400 (unless no_early_error_reply), the task line
    /// finished; the connection then ends.
    /// </summary>
    public static async Task RefuseAsync(HttpServerConfig cfg, ClientConnection client, TaskNotes notes, HeadRead status, string? error)
    {
        var code = status switch { HeadRead.TooLarge => 431, HeadRead.HeaderTimeout => 408, _ => 400 };
        notes.Reason = status == HeadRead.HeaderTimeout ? "ClientAppTimeout" : "InvalidClientProtocol";
        notes.Stage = "Preparing";
        if (!cfg.NoEarlyErrorReply)
            await HttpReply.RefuseAsync(client, notes, code, 11, headRequest: false, close: true).ConfigureAwait(false);
        notes.Reason ??= error is null ? "Finished" : "InvalidClientProtocol";
        client.Scope.FinishTask(notes);
    }
}
