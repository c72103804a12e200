using Proxy.Actors.Audit.Icap;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Escapers.Http;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Servers.Common;
using static Proxy.Actors.Servers.HttpCommon.HttpForwardExchange;

namespace Proxy.Actors.Servers.HttpCommon;

/// <summary>
/// The forward exchange of an audited http_proxy request (g3's forward task with its auditor's ICAP
/// services): REQMOD before the upstream sees the request (changed, or answered by the ICAP server,
/// e.g. a 403 block page, when nothing goes upstream), RESPMOD before the client sees the response.
/// A failed adaptation answers 500 and logs InternalAdapterError with the ICAP error, as g3 does; a
/// service with <c>bypass</c> that cannot be reached lets the message pass unadapted.
/// </summary>
internal static class HttpForwardIcap
{
    public static async Task<bool> RunAsync(
        ServerContext server, HttpServerConfig cfg, ClientConnection client, HttpRequestHead req, BodyFraming framing, TaskNotes notes, ForwardPlan plan, ForwardIcap icap)
    {
        var ct = client.Token;
        var clientKeepAlive = ClientWantsKeepAlive(req);
        notes.Stage = "Preparing";
        // The ICAP server reads the body first, so a client waiting on 100-continue is told to send it now.
        if (framing.Kind != BodyKind.None && req.Version == 11 && req.Headers.Get("Expect") is { } expect && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            req.Headers.Remove("Expect");
            if (!await WriteClientAsync(client, "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), notes, ct).ConfigureAwait(false)) return false;
        }
        // The ICAP server sees the end-to-end request, as the origin will.
        req.Headers.RemoveHopByHop(keepUpgrade: false);

        await using var clientBody = framing.Kind == BodyKind.None ? null
            : DecodedBody.Start(framing, client.Reader, cfg.BodyLineMaxLength, client.Activity, ct);
        await using var adapted = icap.Reqmod is { } reqmod
            ? await reqmod.ReqmodAsync(req, clientBody?.Stream, icap.Call, ct).ConfigureAwait(false)
            : null;
        var clientRead = () => clientBody is not null && clientBody.Completion.IsCompletedSuccessfully ? clientBody.Completion.Result.Read : 0;
        if (adapted?.Action == IcapAction.Failed) return await AdapterErrorAsync(client, req, notes, "icap reqmod: " + adapted.Error, plan).ConfigureAwait(false);
        if (adapted?.Action == IcapAction.Respond)
        {
            // g3 marks the ICAP server's answer like the proxy's own replies.
            foreach (var f in plan.LocalReplyFields?.Invoke(null) ?? []) adapted.Response!.Headers.Add(f.Key, f.Value);
            var (head, mode, close) = IcapBodyWriter.Response(req, adapted.Response!, adapted.Body is not null);
            var (written, n) = await IcapBodyWriter.WriteAsync(client.Stream, head, adapted.Body, mode, client.Activity, ct).ConfigureAwait(false);
            notes.Bytes.ClientWritten += head.Length + n;
            notes.Bytes.ClientRead += clientRead();
            notes.RspStatus = adapted.Response!.Status;
            notes.Reason = written switch
            {
                BodyWrite.Done => "Finished",
                BodyWrite.DestinationFailed => "ClientTcpWriteFailed",
                _ => "InternalAdapterError",
            };
            notes.Stage = "Finished";
            // A client body the ICAP server did not wait for is still on the wire: this connection is done.
            return written == BodyWrite.Done && !close && clientKeepAlive && adapted.ClientBodyConsumed;
        }
        var modified = adapted?.Action == IcapAction.Modified ? adapted.Request! : null;
        var body = adapted is null ? clientBody?.Stream : adapted.Body;
        var bodyMode = modified is not null ? (body is null ? BodyMode.None : BodyMode.Chunked) : IcapBodyWriter.OriginalMode(framing);
        if (modified is not null) Reframe(modified, plan, bodyMode);

        notes.Stage = "Connecting";
        for (var attempt = 0; ; attempt++)
        {
            var result = await EscapeAsync(server, cfg, client, notes, plan, body is not null, fresh: attempt > 0, ct).ConfigureAwait(false);
            if (!result.Ok)
                return await RefuseAsync(client, req, notes, EscapeErrorStatus.For(result.Error), notes.Reason ?? "UpstreamNotConnected", close: true, plan.LocalReplyFields?.Invoke(null)).ConfigureAwait(false);
            var conn = Held(server, notes, result.Http!);
            var reusable = false;
            try
            {
                using var head = modified is null ? plan.BuildHead(conn) : UpstreamHead(modified, UpstreamTarget(modified, conn), modified.Headers, conn, upgrade: false);
                // The body is only read once the head went out: a pooled connection the origin
                // closed meanwhile is replaced and nothing is lost.
                var (sent, sentBytes) = await IcapBodyWriter.WriteAsync(conn.Stream, head.Written, body, bodyMode, client.Activity, ct).ConfigureAwait(false);
                if (sent == BodyWrite.DestinationFailed && sentBytes == 0 && conn.Reused)
                {
                    Renewing(notes);
                    continue;
                }
                notes.Bytes.RemoteWritten += head.Length + sentBytes;
                notes.Bytes.ClientRead += clientRead();
                if (sent != BodyWrite.Done)
                {
                    if (sent == BodyWrite.DestinationFailed) notes.Reason = "UpstreamWriteFailed";
                    else if (adapted is { BodyFromIcap: true }) return await AdapterErrorAsync(client, req, notes, "icap reqmod: the ICAP server's body broke off", plan).ConfigureAwait(false);
                    else notes.Reason = "ClientTcpReadFailed";
                    return await FailAsync(client, req, notes, plan.LocalReplyFields?.Invoke(conn.Facts), 502).ConfigureAwait(false);
                }

                notes.Stage = "Relaying";
                var rspStarted = server.Time.GetTimestamp();
                HttpResponseHead? rsp = null;
                while (true)
                {
                    var (status, parsed) = await ReadResponseHeadAsync(server, cfg, client, notes, conn, ct).ConfigureAwait(false);
                    if (status == RspRead.ClosedBeforeAnyByte && conn.Reused && body is null && rsp is null) break;
                    if (status != RspRead.Ok)
                    {
                        notes.Reason = status == RspRead.Timeout ? "UpstreamAppTimeout" : status == RspRead.Invalid ? "InvalidUpstreamProtocol" : "ClosedByUpstream";
                        return await FailAsync(client, req, notes, plan.LocalReplyFields?.Invoke(conn.Facts), status == RspRead.Timeout ? 504 : 502).ConfigureAwait(false);
                    }
                    rsp = parsed!;
                    notes.Bytes.RemoteRead += rsp.WireLength;
                    if (rsp.Status is >= 100 and < 200)
                    {
                        // The client's 100 was sent already; other interim answers go to HTTP/1.1 clients.
                        if (rsp.Status != 100 && req.Version == 11)
                        {
                            using var interim = new HeadWriter(128);
                            interim.Append("HTTP/1.1 ").Append(rsp.Status).Append(" ").Append(rsp.Reason).Append("\r\n").Fields(rsp.Headers).End();
                            if (!await WriteClientAsync(client, interim.Written, notes, ct).ConfigureAwait(false)) return false;
                        }
                        continue;
                    }
                    break;
                }
                if (rsp is null)
                {
                    Renewing(notes);
                    continue;
                }
                notes.DurRspRecvHdr = server.Time.GetElapsedTime(rspStarted);
                notes.OriginStatus = rsp.Status;
                notes.RspStatus = rsp.Status;
                var rspFraming = BodyFraming.ForResponse(req.Method, rsp);
                if (rspFraming is null)
                {
                    notes.Reason = "InvalidUpstreamProtocol";
                    return await FailAsync(client, req, notes, plan.LocalReplyFields?.Invoke(conn.Facts), 502).ConfigureAwait(false);
                }
                var (keepAlive, upstreamDone) = await RespondAsync(cfg, client, req, rsp, rspFraming.Value, conn, notes, plan, icap, adapted?.SharedHeaders ?? [], clientKeepAlive, ct).ConfigureAwait(false);
                if (keepAlive is null) return false;
                client.Activity.Touch();
                notes.Reason = "Finished";
                notes.Stage = "Finished";
                reusable = upstreamDone && rspFraming.Value.Kind != BodyKind.UntilClose && rsp.Version == 11
                    && !rsp.Headers.HasToken("Connection", "close") && !HasStrayBytes(conn.Reader);
                return keepAlive.Value;
            }
            finally
            {
                await conn.ReleaseAsync(reusable).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The response to the client, through RESPMOD when there is a service: KeepAlive is null when
    /// the exchange failed, else whether the client connection may carry another request;
    /// UpstreamDone tells whether the origin's body was read to its end (RESPMOD may answer early).
    /// </summary>
    private static async Task<(bool? KeepAlive, bool UpstreamDone)> RespondAsync(
        HttpServerConfig cfg, ClientConnection client, HttpRequestHead req, HttpResponseHead rsp, BodyFraming rspFraming, HttpUpstream conn,
        TaskNotes notes, ForwardPlan plan, ForwardIcap icap, IReadOnlyList<KeyValuePair<string, string>> shared, bool clientKeepAlive, CancellationToken ct)
    {
        // HTTP/1.0 clients get no chunks: the body then ends with the connection.
        var toOldClient = rspFraming.Kind == BodyKind.Chunked && req.Version == 10;
        var close = !clientKeepAlive || rspFraming.Kind == BodyKind.UntilClose || toOldClient;
        if (icap.Respmod is not { } respmod)
        {
            using var head = BuildClientHead(req, rsp, close, toOldClient, plan.DecorateResponse, conn);
            if (!await WriteClientAsync(client, head.Written, notes, ct).ConfigureAwait(false)) return (null, false);
            var copy = await BodyForwarder.CopyAsync(rspFraming, conn.Reader, client.Stream, toOldClient, cfg.BodyLineMaxLength, null, client.Activity, ct).ConfigureAwait(false);
            notes.Bytes.RemoteRead += copy.Read;
            notes.Bytes.ClientWritten += copy.Written;
            if (copy.Ok) return (!close, true);
            notes.Reason = copy.Status == BodyCopyStatus.DestinationFailed ? "ClientTcpWriteFailed" : "UpstreamReadFailed";
            return (null, false);
        }

        await using var upstreamBody = rspFraming.Kind == BodyKind.None ? null
            : DecodedBody.Start(rspFraming, conn.Reader, cfg.BodyLineMaxLength, client.Activity, ct);
        await using var adapted = await respmod.RespmodAsync(req, rsp, upstreamBody?.Stream, icap.Call with { SharedHeaders = shared }, ct).ConfigureAwait(false);
        if (adapted.Action == IcapAction.Failed)
        {
            await AdapterErrorAsync(client, req, notes, "icap respmod: " + adapted.Error, plan).ConfigureAwait(false);
            return (null, false);
        }
        byte[] rspHead;
        BodyMode mode;
        if (adapted.Action == IcapAction.Modified)
        {
            var changed = adapted.Response!;
            changed.Headers.RemoveHopByHop(keepUpgrade: false);
            plan.DecorateResponse?.Invoke(changed.Headers, conn);
            if (close) changed.Headers.Set("Connection", "close");
            (rspHead, mode, var mustClose) = IcapBodyWriter.Response(req, changed, adapted.Body is not null);
            close |= mustClose;
            notes.RspStatus = changed.Status;
        }
        else
        {
            using var head = BuildClientHead(req, rsp, close, toOldClient, plan.DecorateResponse, conn);
            rspHead = head.Written.ToArray();
            mode = toOldClient || rspFraming.Kind == BodyKind.UntilClose ? BodyMode.Raw : IcapBodyWriter.OriginalMode(rspFraming);
        }
        var (written, n) = await IcapBodyWriter.WriteAsync(client.Stream, rspHead, adapted.Body, mode, client.Activity, ct).ConfigureAwait(false);
        notes.Bytes.ClientWritten += rspHead.Length + n;
        var upstreamDone = upstreamBody is null || upstreamBody.Completion.IsCompletedSuccessfully;
        if (upstreamBody is not null && upstreamDone) notes.Bytes.RemoteRead += upstreamBody.Completion.Result.Read;
        if (written == BodyWrite.DestinationFailed)
        {
            notes.Reason = "ClientTcpWriteFailed";
            return (null, false);
        }
        if (written == BodyWrite.SourceFailed)
        {
            notes.Reason = adapted.BodyFromIcap ? "InternalAdapterError" : "UpstreamReadFailed";
            if (adapted.BodyFromIcap) notes.Error = "icap respmod: the ICAP server's body broke off";
            return (null, false);
        }
        return (!close, upstreamDone);
    }

    /// <summary>A changed request for the upstream: framed for the body it now has, with a Host.</summary>
    private static void Reframe(HttpRequestHead modified, ForwardPlan plan, BodyMode mode)
    {
        var h = modified.Headers;
        h.RemoveHopByHop(keepUpgrade: false);
        h.Remove("Content-Length");
        h.Remove("Transfer-Encoding");
        if (mode == BodyMode.Chunked) h.Set("Transfer-Encoding", "chunked");
        if (!h.Contains("Host")) h.Add("Host", plan.Target.ToString());
    }

    /// <summary>Origin-form to an origin, absolute-form to a next proxy, whatever form the ICAP server gave.</summary>
    private static string UpstreamTarget(HttpRequestHead modified, HttpUpstream conn)
    {
        if (conn.AbsoluteForm || !Uri.TryCreate(modified.Target, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return modified.Target;
        return uri.PathAndQuery;
    }

    /// <summary>g3's InternalAdapterError: 500 to the client (with the server's local-reply fields), the ICAP error in the task log.</summary>
    private static async Task<bool> AdapterErrorAsync(ClientConnection client, HttpRequestHead req, TaskNotes notes, string error, ForwardPlan plan)
    {
        notes.Reason = "InternalAdapterError";
        notes.Error = error;
        await HttpReply.RefuseAsync(client, notes, 500, req.Version, req.Method == "HEAD", close: true, plan.LocalReplyFields?.Invoke(null)).ConfigureAwait(false);
        return false;
    }

    private static async Task<bool> FailAsync(ClientConnection client, HttpRequestHead req, TaskNotes notes, IEnumerable<KeyValuePair<string, string>>? fields, int status)
    {
        await HttpReply.RefuseAsync(client, notes, status, req.Version, req.Method == "HEAD", close: true, fields).ConfigureAwait(false);
        return false;
    }
}
