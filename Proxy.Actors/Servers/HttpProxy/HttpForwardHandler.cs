using System.IO.Pipelines;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Logging;
using Proxy.Actors.Relay;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Http;
using Proxy.Actors.Servers.Common;

using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>
/// One absolute-URI request (http:// or https:// in plain text to the proxy): picks a pooled or
/// new origin connection, forwards the head and body, relays the response back, and says
/// whether the client connection may carry another request.
/// </summary>
internal static class HttpForwardHandler
{
    public static async Task<bool> RunAsync(HttpProxyServerContext ctx, ClientConnection client, HttpRequestHead req, TaskNotes notes)
    {
        var cfg = ctx.Config;
        var ct = client.Token;
        var target = RequestTarget.Parse(req.Method, req.Target);
        var framing = BodyFraming.ForRequest(req.Headers, out var framingStatus, out var framingError);
        var hasBody = framing is { Kind: not BodyKind.None };
        var clientKeepAlive = ClientWantsKeepAlive(req);

        if (framing is null) return await Refuse(client, req, notes, framingStatus, "InvalidClientProtocol", close: true);
        if (target is null) return await Refuse(client, req, notes, 400, "InvalidClientProtocol", close: true);
        if (target is { Form: TargetForm.Absolute, Scheme: "ftp" })
            return await Ftp.FtpOverHttpTask.RunAsync(ctx, client, req, notes, target, framing.Value).ConfigureAwait(false);
        // Origin-form and '*' are "local" requests (the well-known URIs are not built yet);
        // other schemes are not built; https:// needs tls_client.
        if (target.Form != TargetForm.Absolute || target.Scheme is not ("http" or "https") || (target.Scheme == "https" && cfg.TlsClient is null))
            return await Refuse(client, req, notes, 501, "UnimplementedProtocol", close: true);
        notes.Upstream = target.Upstream!.ToString();
        if (!cfg.AllowCustomHost && req.Headers.Get("Host") is { } host && !HostMatches(host, target))
            return await Refuse(client, req, notes, 409, "InvalidClientProtocol", close: true);
        var requestType = target.Scheme == "https" ? ProxyRequestType.HttpsForward : ProxyRequestType.HttpForward;
        if (UserRequestPolicy.Check(client.User, requestType, target.Upstream, req.Headers, out var alive) is { } refused)
            return await Refuse(client, req, notes, refused.Status, refused.Reason, close: true);
        if (alive is not null) client.HoldForRequest(alive);
        if (TargetPolicy.IsForbidden(cfg, target.Upstream))
            return await Refuse(client, req, notes, 403, "ForbiddenByRule", close: true);

        notes.Stage = "Connecting";
        // Read before the head is built: building it strips the hop-by-hop Connection field.
        var wantsUpgrade = req.Headers.HasToken("Connection", "upgrade") && req.Headers.Contains("Upgrade");
        var tls = target.Scheme == "https" ? cfg.TlsClient : null;

        // A pooled connection may have been closed by the origin a moment ago: the request is
        // retried once on a fresh connection when nothing of it was consumed yet (the head could
        // not be written, or a body-less request met a close), as a browser would.
        for (var attempt = 0; ; attempt++)
        {
            var request = new EscapeRequest(notes, target.Upstream, EscapeWant.HttpForward)
            {
                Tls = tls,
                Http = new HttpForwardOptions(cfg.UpstreamKeepaliveEnable, cfg.UpstreamKeepaliveIdleExpire)
                {
                    ProbeIdle = hasBody,
                    FreshOnly = attempt > 0,
                },
            };
            var result = await ServerEscape.EscapeAsync(ctx.Server, request, ct).ConfigureAwait(false);
            if (!result.Ok)
            {
                var close = EscapeErrorStatus.AlwaysClose(result.Error) || hasBody || !clientKeepAlive;
                return await Refuse(client, req, notes, EscapeErrorStatus.For(result.Error), notes.Reason ?? "UpstreamNotConnected", close);
            }
            var conn = result.Http!;
            notes.ReuseConnection = conn.Reused;
            notes.Stage = "Connected";
            using var head = BuildUpstreamHead(req, target, conn, wantsUpgrade, cfg.StealForwardedFor, cfg.DropDefaultPortInHost);
            var exchange = await ExchangeAsync(ctx, client, req, framing.Value, head, conn, notes, wantsUpgrade, clientKeepAlive, ct).ConfigureAwait(false);
            if (exchange == Exchange.RetryFresh)
            {
                notes.NextPeerAddr = null;
                notes.NextBoundAddr = null;
                continue;
            }
            return exchange == Exchange.KeepAlive;
        }
    }

    private enum Exchange { KeepAlive, Close, RetryFresh }

    private static readonly TimeSpan ExpectContinueWait = TimeSpan.FromSeconds(1);

    private static async Task<Exchange> ExchangeAsync(
        HttpProxyServerContext ctx, ClientConnection client, HttpRequestHead req, BodyFraming framing,
        HeadWriter head, HttpUpstream conn, TaskNotes notes, bool wantsUpgrade, bool clientKeepAlive,
        CancellationToken ct)
    {
        var cfg = ctx.Config;
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
                return await Fail(client, req, notes, 502);
            }
            notes.Bytes.RemoteWritten += head.Length;

            var expectContinue = framing.Kind != BodyKind.None && req.Version == 11
                && req.Headers.Get("Expect") is { } expect && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase);
            var bodySent = framing.Kind == BodyKind.None;
            if (!bodySent && !expectContinue)
            {
                if (!await SendBodyAsync(ctx, client, conn, framing, cfg.BodyLineMaxLength, notes, ct).ConfigureAwait(false))
                    return await Fail(client, req, notes, notes.Reason == "InvalidClientProtocol" ? 400 : 502);
                bodySent = true;
            }

            notes.Stage = "Relaying";
            var rspStarted = ctx.Time.GetTimestamp();
            Task<(RspRead, HttpResponseHead?)>? pending = null;
            if (!bodySent)
            {
                // Expect: 100-continue — hold the body until the origin says 100, but not forever:
                // an origin that ignores Expect gets the body after a second, as curl does.
                pending = ReadResponseHeadAsync(ctx, client, conn, ct).AsTask();
                await Task.WhenAny(pending, Task.Delay(ExpectContinueWait, ctx.Time, CancellationToken.None)).ConfigureAwait(false);
                if (!pending.IsCompleted)
                {
                    if (!await SendBodyAsync(ctx, client, conn, framing, cfg.BodyLineMaxLength, notes, ct).ConfigureAwait(false))
                        return await Fail(client, req, notes, 502);
                    bodySent = true;
                }
            }
            HttpResponseHead? rsp;
            while (true)
            {
                var (status, parsed) = pending is not null
                    ? await pending.ConfigureAwait(false)
                    : await ReadResponseHeadAsync(ctx, client, conn, ct).ConfigureAwait(false);
                pending = null;
                if (status == RspRead.ClosedBeforeAnyByte && reused && framing.Kind == BodyKind.None) return Exchange.RetryFresh;
                if (status != RspRead.Ok)
                {
                    notes.Reason = status == RspRead.Timeout ? "UpstreamAppTimeout" : status == RspRead.Invalid ? "InvalidUpstreamProtocol" : "ClosedByUpstream";
                    return await Fail(client, req, notes, status == RspRead.Timeout ? 504 : 502);
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
                        if (!await SendBodyAsync(ctx, client, conn, framing, cfg.BodyLineMaxLength, notes, ct).ConfigureAwait(false))
                            return await Fail(client, req, notes, 502);
                        bodySent = true;
                    }
                    continue;
                }
                break;
            }
            notes.DurRspRecvHdr = ctx.Time.GetElapsedTime(rspStarted);
            notes.OriginStatus = rsp.Status;
            notes.RspStatus = rsp.Status;

            if (rsp.Status == 101 && wantsUpgrade)
                return await UpgradeAsync(ctx, client, conn, rsp, notes, ct).ConfigureAwait(false);

            var rspFraming = BodyFraming.ForResponse(req.Method, rsp);
            if (rspFraming is null)
            {
                notes.Reason = "InvalidUpstreamProtocol";
                return await Fail(client, req, notes, 502);
            }
            var decode = rspFraming.Value.Kind == BodyKind.Chunked && req.Version == 10;
            var clientClose = !clientKeepAlive || !bodySent
                || rspFraming.Value.Kind == BodyKind.UntilClose || decode;

            using var rspHead = BuildClientHead(req, rsp, clientClose, decode);
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
                    ? SpeedLimiter.South(cfg.TcpSockSpeedLimit, conn.Facts.SpeedLimit, user.TcpSockSpeedLimit, user.TcpAllDownload, ctx.Time)
                    : SpeedLimiter.South(cfg.TcpSockSpeedLimit, conn.Facts.SpeedLimit, ctx.Time);
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

    private static async Task<bool> SendBodyAsync(HttpProxyServerContext ctx, ClientConnection client, HttpUpstream conn, BodyFraming framing, int maxLine, TaskNotes notes, CancellationToken ct)
    {
        var north = client.User is { User: var user }
            ? SpeedLimiter.North(ctx.Config.TcpSockSpeedLimit, conn.Facts.SpeedLimit, user.TcpSockSpeedLimit, user.TcpAllUpload, ctx.Time)
            : SpeedLimiter.North(ctx.Config.TcpSockSpeedLimit, conn.Facts.SpeedLimit, ctx.Time);
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

    private enum RspRead { Ok, ClosedBeforeAnyByte, Closed, Timeout, Invalid }

    /// <summary>The origin's next response head, within rsp_header_recv_timeout.</summary>
    private static async ValueTask<(RspRead, HttpResponseHead?)> ReadResponseHeadAsync(
        HttpProxyServerContext ctx, ClientConnection client, HttpUpstream conn, CancellationToken ct)
    {
        var deadline = client.Timer.Arm(ctx.Config.RspHeaderRecvTimeout);
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
                var status = HttpHeadParser.TryParseResponse(buf, ctx.Config.RspHeaderMaxSize, 1024, out var head, out _);
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
    private static async Task<Exchange> UpgradeAsync(HttpProxyServerContext ctx, ClientConnection client, HttpUpstream conn, HttpResponseHead rsp, TaskNotes notes, CancellationToken ct)
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
            new RelayOptions(ctx.Config.TcpCopyBufferSize, ctx.Config.TcpSockSpeedLimit, conn.Facts.SpeedLimit, ctx.Time),
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

    private static bool HasStrayBytes(PipeReader reader)
    {
        if (!reader.TryRead(out var r)) return false;
        var stray = !r.Buffer.IsEmpty || r.IsCompleted;
        reader.AdvanceTo(r.Buffer.Start, r.Buffer.End);
        return stray;
    }

    private static async Task<bool> WriteClientAsync(ClientConnection client, ReadOnlyMemory<byte> data, TaskNotes notes, CancellationToken ct)
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
    private static async Task<Exchange> Fail(ClientConnection client, HttpRequestHead req, TaskNotes notes, int status)
    {
        await HttpReply.RefuseAsync(client, notes, status, req.Version, req.Method == "HEAD", close: true).ConfigureAwait(false);
        return Exchange.Close;
    }

    /// <summary>A refusal before any origin exchange; true when the connection may carry another request.</summary>
    private static async Task<bool> Refuse(ClientConnection client, HttpRequestHead req, TaskNotes notes, int status, string reason, bool close)
    {
        notes.Reason = reason;
        notes.Stage = "Preparing";
        var sent = await HttpReply.RefuseAsync(client, notes, status, req.Version, req.Method == "HEAD", close).ConfigureAwait(false);
        return sent && !close;
    }

    internal static bool ClientWantsKeepAlive(HttpRequestHead req)
    {
        var h = req.Headers;
        if (h.HasToken("Connection", "close") || h.HasToken("Proxy-Connection", "close")) return false;
        if (req.Version == 11) return true;
        return h.HasToken("Connection", "keep-alive") || h.HasToken("Proxy-Connection", "keep-alive");
    }

    /// <summary>allow_custom_host: false — a Host without a port means the scheme's default port.</summary>
    internal static bool HostMatches(string host, RequestTarget target)
    {
        var parsed = RequestTarget.ParseAuthority(host, target.Scheme == "https" ? 443 : 80);
        return parsed is not null && target.Upstream is { } upstream && parsed.Host == upstream.Host && parsed.Port == upstream.Port;
    }

    /// <summary>
    /// The request as the upstream sees it: origin-form target (absolute-form to a next-hop proxy),
    /// hop-by-hop fields gone, Host set, the escaper's own fields added.
    /// </summary>
    private static HeadWriter BuildUpstreamHead(HttpRequestHead req, RequestTarget target, HttpUpstream conn, bool upgrade, bool stealForwardedFor, bool dropDefaultPort)
    {
        var headers = req.Headers;
        headers.RemoveHopByHop(keepUpgrade: upgrade);
        if (stealForwardedFor)
        {
            headers.Remove("Forwarded");
            headers.Remove("X-Forwarded-For");
        }
        var defaultPort = target.Scheme == "https" ? 443 : 80;
        if (!headers.Contains("Host"))
        {
            headers.Add("Host", target.Upstream!.Port == defaultPort ? HostOnly(target) : target.Authority);
        }
        else if (dropDefaultPort)
        {
            var h = headers.Get("Host")!;
            var suffix = ":" + defaultPort;
            if (h.EndsWith(suffix, StringComparison.Ordinal)) headers.Set("Host", h[..^suffix.Length]);
        }
        var w = new HeadWriter(1024);
        w.Append(req.Method).Append(" ").Append(conn.AbsoluteForm ? req.Target : target.PathAndQuery).Append(" HTTP/1.1\r\n"u8);
        // Host first, as RFC 9112 3.2 recommends for origin servers that read it early.
        w.Field("Host", headers.Get("Host")!);
        foreach (var f in headers.Fields)
            if (!f.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)) w.Field(f.Key, f.Value);
        foreach (var f in conn.ExtraHeaders) w.Field(f.Key, f.Value);
        if (upgrade) w.Field("Connection", "upgrade");
        w.End();
        return w;
    }

    private static string HostOnly(RequestTarget target) =>
        target.Upstream!.Host.Contains(':') ? $"[{target.Upstream.Host}]" : target.Upstream.Host;

    private static HeadWriter BuildClientHead(HttpRequestHead req, HttpResponseHead rsp, bool close, bool decodeChunked)
    {
        var headers = rsp.Headers;
        headers.RemoveHopByHop(keepUpgrade: false);
        if (decodeChunked) headers.Remove("Transfer-Encoding");
        var w = new HeadWriter(1024);
        w.Append("HTTP/1.1 "u8).Append(rsp.Status).Append(" ").Append(rsp.Reason).Append("\r\n"u8).Fields(headers);
        if (close) w.Field("Connection", "close");
        else if (req.Version == 10) w.Field("Connection", "keep-alive");
        w.End();
        return w;
    }
}
