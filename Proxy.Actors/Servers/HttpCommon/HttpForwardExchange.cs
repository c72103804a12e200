using System.IO.Pipelines;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Http;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers.HttpCommon;

/// <summary>
/// Where one request goes once its server has decided: the upstream, TLS towards it, and the head
/// the upstream is sent (built per attempt, for the connection the escaper gave).
/// </summary>
internal sealed record ForwardPlan(UpstreamAddr Target, TlsClientConfig? Tls, string? TlsName, bool WantsUpgrade, Func<HttpUpstream, HeadWriter> BuildHead)
{
    /// <summary>Fields the server adds to the final response (http_proxy's X-BD-* info), after hop-by-hop ones are gone.</summary>
    public Action<HttpHeaders, HttpUpstream>? DecorateResponse { get; init; }
    /// <summary>Fields the server adds to its own replies (an escape error, a 502/504 once connected: then with the connection's facts).</summary>
    public Func<EscapeResult?, IEnumerable<KeyValuePair<string, string>>>? LocalReplyFields { get; init; }
    /// <summary>ICAP adaptation of this exchange (http_proxy's audited tasks): REQMOD and RESPMOD around the origin.</summary>
    public ForwardIcap? Icap { get; init; }
}

/// <summary>
/// The forward exchange http_proxy and http_rproxy share: a pooled or new upstream connection from
/// the escaper, the head and body forwarded, the response relayed back (interim responses,
/// Expect: 100-continue, upgrades, chunked decoding for HTTP/1.0 clients), and whether the client
/// connection may carry another request.
/// </summary>
internal static class HttpForwardExchange
{
    /// <param name="renewed">A pooled connection the caller tried was dead: only a fresh one now.</param>
    public static async Task<bool> RunAsync(
        ServerContext server, HttpServerConfig cfg, ClientConnection client, HttpRequestHead req, BodyFraming framing, TaskNotes notes, ForwardPlan plan,
        bool renewed = false)
    {
        // Upgrades pass unadapted, as in g3's interception.
        if (plan.Icap is { } icap && !plan.WantsUpgrade)
            return await HttpForwardIcap.RunAsync(server, cfg, client, req, framing, notes, plan, icap).ConfigureAwait(false);
        var ct = client.Token;
        var hasBody = framing.Kind != BodyKind.None;
        var clientKeepAlive = ClientWantsKeepAlive(req);
        notes.Stage = "Connecting";
        // A pooled connection may have been closed by the origin a moment ago: the request is
        // retried once on a fresh connection when nothing of it was consumed yet (the head could
        // not be written, or a body-less request met a close), as a browser would.
        for (var attempt = renewed ? 1 : 0; ; attempt++)
        {
            var result = await EscapeAsync(server, cfg, client, notes, plan, hasBody, fresh: attempt > 0, ct).ConfigureAwait(false);
            if (!result.Ok)
            {
                var close = EscapeErrorStatus.AlwaysClose(result.Error) || hasBody || !clientKeepAlive;
                return await RefuseAsync(client, req, notes, EscapeErrorStatus.For(result.Error), notes.Reason ?? "UpstreamNotConnected", close, plan.LocalReplyFields?.Invoke(null));
            }
            var conn = Held(server, notes, result.Http!);
            using var head = plan.BuildHead(conn);
            var exchange = await ExchangeAsync(server, cfg, client, req, framing, head, conn, notes, plan.WantsUpgrade, clientKeepAlive, plan.DecorateResponse, plan.LocalReplyFields, ct).ConfigureAwait(false);
            if (exchange == Exchange.RetryFresh)
            {
                Renewing(notes);
                continue;
            }
            return exchange == Exchange.KeepAlive;
        }
    }

    /// <summary>The task holds an upstream, new or kept alive: g3 marks it ready (relaying) then.</summary>
    internal static HttpUpstream Held(ServerContext server, TaskNotes notes, HttpUpstream conn)
    {
        notes.ReuseConnection = conn.Reused;
        notes.Stage = "Connected";
        notes.ReadyTime ??= server.Time.GetElapsedTime(notes.CreatedTimestamp);
        if (conn.Reused) notes.UserCounts?.Reused();
        return conn;
    }

    /// <summary>A pooled connection the origin had closed is given up for a fresh one.</summary>
    internal static void Renewing(TaskNotes notes)
    {
        notes.UserCounts?.Renewed();
        notes.NextPeerAddr = null;
        notes.NextBoundAddr = null;
    }

    /// <summary>A pooled or new upstream connection for the plan's target.</summary>
    internal static ValueTask<EscapeResult> EscapeAsync(ServerContext server, HttpServerConfig cfg, ClientConnection client, TaskNotes notes, ForwardPlan plan, bool hasBody, bool fresh, CancellationToken ct)
    {
        var request = NewEscapeRequest(server, cfg, client, notes, plan.Target, plan.Tls, plan.TlsName, hasBody, fresh);
        // An idle pooled connection is taken without the escape's async path (the escaper counts and reports it the same).
        if (!fresh && ServerEscape.TryTakePooled(server, request) is { } pooled) return ValueTask.FromResult(pooled);
        return ServerEscape.EscapeAsync(server, request, ct);
    }

    /// <summary>The escape request of a forward exchange, with the user's settings; the client socket gets the user's options.</summary>
    internal static EscapeRequest NewEscapeRequest(ServerContext server, HttpServerConfig cfg, ClientConnection client, TaskNotes notes,
        UpstreamAddr target, TlsClientConfig? tls, string? tlsName, bool hasBody, bool fresh)
    {
        var (keepAlive, idleExpire) = UpstreamKeepalive(cfg, client);
        var request = new EscapeRequest(notes, target, EscapeWant.HttpForward)
        {
            Tls = tls,
            TlsName = tlsName,
            Http = new HttpForwardOptions(keepAlive, idleExpire)
            {
                ProbeIdle = hasBody,
                FreshOnly = fresh,
            },
        }.ForUser(client.User?.User);
        ClientSocketOptions.ApplyUser(client.Transport, server.Config.TcpMiscOpts, client.User?.User);
        return request;
    }

    /// <summary>
    /// The server's keep-alive of forward upstreams adjusted to the user's http_upstream_keepalive,
    /// as g3's adjust_to: kept only when both keep it, for the shorter idle time.
    /// </summary>
    private static (bool KeepAlive, TimeSpan IdleExpire) UpstreamKeepalive(HttpServerConfig cfg, ClientConnection client) =>
        client.User?.User.HttpUpstreamKeepalive is { } user
            ? (cfg.UpstreamKeepaliveEnable && user.Enable,
                user.IdleExpire < cfg.UpstreamKeepaliveIdleExpire ? user.IdleExpire : cfg.UpstreamKeepaliveIdleExpire)
            : (cfg.UpstreamKeepaliveEnable, cfg.UpstreamKeepaliveIdleExpire);

    /// <summary>
    /// The request head for the upstream: the request line, Host first (RFC 9112 3.2 recommends it
    /// for origin servers that read it early), the client's fields (hop-by-hop already gone), the
    /// escaper's own fields.
    /// </summary>
    public static HeadWriter UpstreamHead(HttpRequestHead req, string target, HttpHeaders headers, HttpUpstream conn, bool upgrade)
    {
        var w = StartUpstreamHead(req, target, headers);
        foreach (var f in headers.Fields)
            if (!f.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)) w.Field(f.Key, f.Value);
        return EndUpstreamHead(w, conn, upgrade);
    }

    /// <summary>An upstream head's request line and Host field; the caller writes the other fields (never Host) and ends it with <see cref="EndUpstreamHead"/>.</summary>
    internal static HeadWriter StartUpstreamHead(HttpRequestHead req, string target, HttpHeaders headers)
    {
        var w = new HeadWriter(1024);
        w.Append(req.Method).Append(" ").Append(target).Append(" HTTP/1.1\r\n"u8);
        w.Field("Host", headers.Get("Host")!);
        return w;
    }

    /// <summary>The escaper's own fields, the upgrade token when asked, and the blank line.</summary>
    internal static HeadWriter EndUpstreamHead(HeadWriter w, HttpUpstream conn, bool upgrade)
    {
        foreach (var f in conn.ExtraHeaders) w.Field(f.Key, f.Value);
        if (upgrade) w.Field("Connection", "upgrade");
        w.End();
        return w;
    }

    internal enum Exchange { KeepAlive, Close, RetryFresh }

    private static readonly TimeSpan ExpectContinueWait = TimeSpan.FromSeconds(1);

    internal static async Task<Exchange> ExchangeAsync(
        ServerContext server, HttpServerConfig cfg, ClientConnection client, HttpRequestHead req, BodyFraming framing,
        HeadWriter head, HttpUpstream conn, TaskNotes notes, bool wantsUpgrade, bool clientKeepAlive,
        Action<HttpHeaders, HttpUpstream>? decorate, Func<EscapeResult?, IEnumerable<KeyValuePair<string, string>>>? failFields, CancellationToken ct)
    {
        var reused = conn.Reused;
        var reusable = false;
        try
        {
            try
            {
                await conn.Stream.WriteAsync(head.Written, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (IoErrors.IsExpected(e))
            {
                if (reused) return Exchange.RetryFresh;
                notes.Reason = "UpstreamWriteFailed";
                return await Fail(client, req, notes, failFields?.Invoke(conn.Facts), 502);
            }
            notes.Bytes.RemoteWritten += head.Length;

            var expectContinue = framing.Kind != BodyKind.None && req.Version == 11
                && req.Headers.Get("Expect") is { } expect && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase);
            var bodySent = framing.Kind == BodyKind.None;
            if (!bodySent && !expectContinue)
            {
                if (!await SendBodyAsync(server, cfg, client, conn, framing, cfg.BodyLineMaxLength, notes, ct).ConfigureAwait(false))
                    return await Fail(client, req, notes, failFields?.Invoke(conn.Facts), notes.Reason == "InvalidClientProtocol" ? 400 : 502);
                bodySent = true;
            }

            notes.Stage = "Relaying";
            var rspStarted = server.Time.GetTimestamp();
            Task<(RspRead, HttpResponseHead?)>? pending = null;
            if (!bodySent)
            {
                // Expect: 100-continue — hold the body until the origin says 100, but not forever:
                // an origin that ignores Expect gets the body after a second, as curl does.
                pending = ReadResponseHeadAsync(server, cfg, client, notes, conn, ct).AsTask();
                await Task.WhenAny(pending, Task.Delay(ExpectContinueWait, server.Time, CancellationToken.None)).ConfigureAwait(false);
                if (!pending.IsCompleted)
                {
                    if (!await SendBodyAsync(server, cfg, client, conn, framing, cfg.BodyLineMaxLength, notes, ct).ConfigureAwait(false))
                        return await Fail(client, req, notes, failFields?.Invoke(conn.Facts), 502);
                    bodySent = true;
                }
            }
            HttpResponseHead? rsp;
            while (true)
            {
                var (status, parsed) = pending is not null
                    ? await pending.ConfigureAwait(false)
                    : await ReadResponseHeadAsync(server, cfg, client, notes, conn, ct).ConfigureAwait(false);
                pending = null;
                if (status == RspRead.ClosedBeforeAnyByte && reused && framing.Kind == BodyKind.None) return Exchange.RetryFresh;
                if (status != RspRead.Ok)
                {
                    notes.Reason = status == RspRead.Timeout ? "UpstreamAppTimeout" : status == RspRead.Invalid ? "InvalidUpstreamProtocol" : "ClosedByUpstream";
                    return await Fail(client, req, notes, failFields?.Invoke(conn.Facts), status == RspRead.Timeout ? 504 : 502);
                }
                rsp = parsed!;
                notes.Bytes.RemoteRead += rsp.WireLength;
                if (rsp.Status is >= 100 and < 200 and not 101)
                {
                    // Interim responses go to HTTP/1.1 clients; 100 also releases a held body.
                    if (req.Version == 11)
                    {
                        using var interim = new HeadWriter(128);
                        interim.Append("HTTP/1.1 ").Append(rsp.Status).Append(" ").Append(rsp.Reason).Append("\r\n").Fields(rsp.Headers).End();
                        if (!await WriteClientAsync(client, interim.Written, notes, ct)) return Exchange.Close;
                    }
                    if (rsp.Status == 100 && !bodySent)
                    {
                        if (!await SendBodyAsync(server, cfg, client, conn, framing, cfg.BodyLineMaxLength, notes, ct).ConfigureAwait(false))
                            return await Fail(client, req, notes, failFields?.Invoke(conn.Facts), 502);
                        bodySent = true;
                    }
                    continue;
                }
                break;
            }
            notes.DurRspRecvHdr = server.Time.GetElapsedTime(rspStarted);
            notes.OriginStatus = rsp.Status;
            notes.RspStatus = rsp.Status;

            if (rsp.Status == 101 && wantsUpgrade)
                return await UpgradeAsync(server, cfg, client, conn, rsp, notes, ct).ConfigureAwait(false);

            var rspFraming = BodyFraming.ForResponse(req.Method, rsp);
            if (rspFraming is null)
            {
                notes.Reason = "InvalidUpstreamProtocol";
                return await Fail(client, req, notes, failFields?.Invoke(conn.Facts), 502);
            }
            var decode = rspFraming.Value.Kind == BodyKind.Chunked && req.Version == 10;
            var clientClose = !clientKeepAlive || !bodySent
                || rspFraming.Value.Kind == BodyKind.UntilClose || decode;

            using var rspHead = BuildClientHead(req, rsp, clientClose, decode, decorate, conn);
            // A small response that is already buffered leaves in the same write as its head.
            var sentWithHead = false;
            if (rspFraming.Value.Kind == BodyKind.ContentLength && conn.Reader.TryRead(out var buffered))
            {
                if (buffered.Buffer.Length >= rspFraming.Value.Length && rspFraming.Value.Length <= 16 * 1024)
                {
                    var body = buffered.Buffer.Slice(0, rspFraming.Value.Length);
                    foreach (var seg in body) rspHead.Append(seg.Span);
                    conn.Reader.AdvanceTo(body.End);
                    notes.Bytes.RemoteRead += body.Length;
                    sentWithHead = true;
                }
                else
                {
                    conn.Reader.AdvanceTo(buffered.Buffer.Start);
                }
            }
            if (!await WriteClientAsync(client, rspHead.Written, notes, ct)) return Exchange.Close;

            if (!sentWithHead)
            {
                var south = client.User is { User: var user }
                    ? SpeedLimiter.South(cfg.TcpSockSpeedLimit, conn.Facts.SpeedLimit, user.TcpSockSpeedLimit, user.TcpAllDownload, server.Time)
                    : SpeedLimiter.South(cfg.TcpSockSpeedLimit, conn.Facts.SpeedLimit, server.Time);
                var copy = await BodyForwarder.CopyAsync(rspFraming.Value, conn.Reader, client.Stream, decode, cfg.BodyLineMaxLength, south, client.Activity, ct).ConfigureAwait(false);
                notes.Bytes.RemoteRead += copy.Read;
                notes.Bytes.ClientWritten += copy.Written;
                if (!copy.Ok)
                {
                    notes.Reason = copy.Status == BodyCopyStatus.DestinationFailed ? "ClientTcpWriteFailed" : "UpstreamReadFailed";
                    return Exchange.Close;
                }
            }
            client.Activity.Touch();
            notes.Reason = "Finished";
            notes.Stage = "Finished";
            reusable = bodySent && rspFraming.Value.Kind != BodyKind.UntilClose && rsp.Version == 11
                && !rsp.Headers.HasToken("Connection", "close") && !HasStrayBytes(conn.Reader);
            return clientClose ? Exchange.Close : Exchange.KeepAlive;
        }
        finally
        {
            await conn.ReleaseAsync(reusable).ConfigureAwait(false);
        }
    }

    private static async Task<bool> SendBodyAsync(ServerContext server, HttpServerConfig cfg, ClientConnection client, HttpUpstream conn, BodyFraming framing, int maxLine, TaskNotes notes, CancellationToken ct)
    {
        var north = client.User is { User: var user }
            ? SpeedLimiter.North(cfg.TcpSockSpeedLimit, conn.Facts.SpeedLimit, user.TcpSockSpeedLimit, user.TcpAllUpload, server.Time)
            : SpeedLimiter.North(cfg.TcpSockSpeedLimit, conn.Facts.SpeedLimit, server.Time);
        var copy = await BodyForwarder.CopyAsync(framing, client.Reader, conn.Stream, decodeChunked: false, maxLine, north, client.Activity, ct).ConfigureAwait(false);
        notes.Bytes.ClientRead += copy.Read;
        notes.Bytes.RemoteWritten += copy.Written;
        if (copy.Ok) return true;
        notes.Reason = copy.Status switch
        {
            BodyCopyStatus.Invalid => "InvalidClientProtocol",
            BodyCopyStatus.DestinationFailed => "UpstreamWriteFailed",
            BodyCopyStatus.SourceClosedEarly => "ClosedEarlyByClient",
            _ => "ClientTcpReadFailed",
        };
        return false;
    }

    internal enum RspRead { Ok, ClosedBeforeAnyByte, Closed, Timeout, Invalid }

    /// <summary>The origin's next response head, within rsp_header_recv_timeout (or the user site's or user's http_rsp_header_recv_timeout).</summary>
    internal static async ValueTask<(RspRead, HttpResponseHead?)> ReadResponseHeadAsync(
        ServerContext server, HttpServerConfig cfg, ClientConnection client, TaskNotes notes, HttpUpstream conn, CancellationToken ct)
    {
        // a site's http_rsp_header_recv_timeout replaces its user's, which replaces the server's (g3)
        var deadline = client.Timer.Arm(notes.UserSite?.Config.HttpRspHeaderRecvTimeout
            ?? client.UserRspHeaderRecvTimeout ?? cfg.RspHeaderRecvTimeout);
        try
        {
            var any = false;
            while (true)
            {
                ReadResult r;
                try
                {
                    r = await conn.Reader.ReadAsync(deadline).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    return (RspRead.Timeout, null);
                }
                catch (Exception e) when (IoErrors.IsExpected(e))
                {
                    return (any ? RspRead.Closed : RspRead.ClosedBeforeAnyByte, null);
                }
                var buf = r.Buffer;
                any |= !buf.IsEmpty;
                var status = HttpHeadParser.TryParseResponse(buf, cfg.RspHeaderMaxSize, 1024, out var head, out _);
                if (status == HeadParseStatus.Done)
                {
                    conn.Reader.AdvanceTo(buf.GetPosition(head!.WireLength));
                    return (RspRead.Ok, head);
                }
                if (status != HeadParseStatus.Incomplete)
                {
                    conn.Reader.AdvanceTo(buf.End);
                    return (RspRead.Invalid, null);
                }
                if (r.IsCompleted)
                {
                    conn.Reader.AdvanceTo(buf.End);
                    return (any ? RspRead.Closed : RspRead.ClosedBeforeAnyByte, null);
                }
                conn.Reader.AdvanceTo(buf.Start, buf.End);
            }
        }
        finally
        {
            client.Timer.Disarm();
        }
    }

    /// <summary>101 Switching Protocols (e.g. WebSocket): from here on the two sides are a tunnel.</summary>
    private static async Task<Exchange> UpgradeAsync(ServerContext server, HttpServerConfig cfg, ClientConnection client, HttpUpstream conn, HttpResponseHead rsp, TaskNotes notes, CancellationToken ct)
    {
        using (var w = new HeadWriter(512))
        {
            w.Append("HTTP/1.1 101 ").Append(rsp.Reason).Append("\r\n").Fields(rsp.Headers).End();
            if (!await WriteClientAsync(client, w.Written, notes, ct)) return Exchange.Close;
        }
        if (!await FlushBufferedAsync(conn.Reader, client.Stream, ct) || !await FlushBufferedAsync(client.Reader, conn.Stream, ct))
            return Exchange.Close;
        var end = await TunnelRelay.RunAsync(
            new RelayEndpoint(client.Stream, client.Socket),
            new RelayEndpoint(conn.Stream, conn.Socket),
            new RelayOptions(cfg.TcpCopyBufferSize, cfg.TcpSockSpeedLimit, conn.Facts.SpeedLimit, server.Time),
            notes.Bytes, client.Activity).ConfigureAwait(false);
        notes.Reason = end.ToString();
        return Exchange.Close;
    }

    internal static async Task<bool> FlushBufferedAsync(PipeReader reader, Stream destination, CancellationToken ct)
    {
        if (!reader.TryRead(out var r)) return true;
        var ok = r.Buffer.IsEmpty || await BodyForwarder.WriteAsync(destination, r.Buffer, ct).ConfigureAwait(false);
        reader.AdvanceTo(r.Buffer.End);
        return ok;
    }

    internal static bool HasStrayBytes(PipeReader reader)
    {
        if (!reader.TryRead(out var r)) return false;
        var stray = !r.Buffer.IsEmpty || r.IsCompleted;
        reader.AdvanceTo(r.Buffer.Start, r.Buffer.End);
        return stray;
    }

    internal static async Task<bool> WriteClientAsync(ClientConnection client, ReadOnlyMemory<byte> data, TaskNotes notes, CancellationToken ct)
    {
        try
        {
            await client.Stream.WriteAsync(data, ct).ConfigureAwait(false);
            notes.Bytes.ClientWritten += data.Length;
            return true;
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            notes.Reason = "ClientTcpWriteFailed";
            return false;
        }
    }

    /// <summary>An error once the exchange with the origin has begun: the connection always closes.</summary>
    private static async Task<Exchange> Fail(ClientConnection client, HttpRequestHead req, TaskNotes notes, IEnumerable<KeyValuePair<string, string>>? fields, int status)
    {
        await HttpReply.RefuseAsync(client, notes, status, req.Version, req.Method == "HEAD", close: true, fields).ConfigureAwait(false);
        return Exchange.Close;
    }

    /// <summary>A refusal before any origin exchange; true when the connection may carry another request.</summary>
    public static async Task<bool> RefuseAsync(ClientConnection client, HttpRequestHead req, TaskNotes notes, int status, string reason, bool close,
        IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        notes.Reason = reason;
        notes.Stage = "Preparing";
        var sent = await HttpReply.RefuseAsync(client, notes, status, req.Version, req.Method == "HEAD", close, extra).ConfigureAwait(false);
        return sent && !close;
    }

    internal static bool ClientWantsKeepAlive(HttpRequestHead req)
    {
        var h = req.Headers;
        if (h.HasToken("Connection", "close") || h.HasToken("Proxy-Connection", "close")) return false;
        if (req.Version == 11) return true;
        return h.HasToken("Connection", "keep-alive") || h.HasToken("Proxy-Connection", "keep-alive");
    }

    /// <param name="decorate">The server's own fields (<see cref="ForwardPlan.DecorateResponse"/>), given the connection rather than closed over it: no closure per request.</param>
    internal static HeadWriter BuildClientHead(HttpRequestHead req, HttpResponseHead rsp, bool close, bool decodeChunked,
        Action<HttpHeaders, HttpUpstream>? decorate, HttpUpstream conn)
    {
        var headers = rsp.Headers;
        headers.RemoveHopByHop(keepUpgrade: false);
        decorate?.Invoke(headers, conn);
        if (decodeChunked) headers.Remove("Transfer-Encoding");
        var w = new HeadWriter(1024);
        w.Append("HTTP/1.1 "u8).Append(rsp.Status).Append(" ").Append(rsp.Reason).Append("\r\n"u8).Fields(headers);
        if (close) w.Field("Connection", "close");
        else if (req.Version == 10) w.Field("Connection", "keep-alive");
        w.End();
        return w;
    }
}
