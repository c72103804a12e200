using Proxy.Actors.Logging;
using Proxy.Actors.Audit.Icap;
using Proxy.Actors.Servers.HttpCommon;
using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.HttpProxy;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// g3's h1_interception: HTTP/1 exchanges inside a tunnel (plain, or decrypted by TLS interception)
/// are parsed one at a time with the project's HTTP/1 parser and passed on byte for byte, with one
/// Intercept log record per request (method, host, uri, status, bytes). A WebSocket upgrade obeys
/// websocket_inspect_policy (block: 403 to the client), then the upgraded stream passes through.
/// </summary>
internal static class H1Interceptor
{
    private const int MaxHeaderFields = 256;
    private static readonly byte[] Forbidden = Encoding.ASCII.GetBytes(
        "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

    internal enum HeadRead { Done, Closed, TimedOut, Invalid, Failed }

    public static async Task<RelayEnd> RunAsync(TunnelAudit audit, RelayEndpoint client, RelayEndpoint remote, int depth)
    {
        var options = new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 2048, leaveOpen: true, useZeroByteReads: true);
        var clientReader = PipeReader.Create(client.Stream, options);
        var remoteReader = PipeReader.Create(remote.Stream, options);
        try
        {
            var end = await ExchangeLoopAsync(audit, client, remote, clientReader, remoteReader, depth).ConfigureAwait(false);
            // The idle checker cancels a quiet keep-alive connection: that is an idle end, not a failed read.
            return audit.Activity.TimedOut ? RelayEnd.Idle : end;
        }
        finally
        {
            await clientReader.CompleteAsync().ConfigureAwait(false);
            await remoteReader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static async Task<RelayEnd> ExchangeLoopAsync(
        TunnelAudit audit, RelayEndpoint client, RelayEndpoint remote, PipeReader clientReader, PipeReader remoteReader, int depth)
    {
        var cfg = audit.Auditor.Config.H1Interception;
        var notes = audit.Notes;
        var bytes = notes.Bytes;
        var ct = audit.Token;
        for (var requestId = 1; ; requestId++)
        {
            // The first request gets req_header_recv_timeout; later ones wait pipeline_read_idle_timeout to start.
            var waitLimit = requestId == 1 ? cfg.ReqHeaderRecvTimeout : cfg.PipelineReadIdleTimeout;
            var (readReq, req, reqHead) = await ReadHeadAsync(clientReader, cfg.ReqHeaderMaxSize, waitLimit, audit, request: true).ConfigureAwait(false);
            switch (readReq)
            {
                case HeadRead.Closed: return RelayEnd.ClosedByClient;
                case HeadRead.Failed: return RelayEnd.ClientTcpReadFailed;
                case HeadRead.TimedOut: return requestId == 1 ? Fail(audit, "http1: no request head within req_header_recv_timeout") : RelayEnd.Idle;
                case HeadRead.Invalid: return Fail(audit, "http1: invalid request head");
            }
            var request = (HttpRequestHead)req!;
            var reqFraming = BodyFraming.ForRequest(request.Headers, out _, out var framingError);
            if (reqFraming is null) return Fail(audit, "http1: " + framingError);
            var host = request.Headers.Get("Host") ?? audit.Upstream.Host;
            var upgrade = request.Headers.HasToken("Upgrade", "websocket");
            if (upgrade && audit.Auditor.Config.WebsocketInspectPolicy.Check(HostOnly(host)) == InspectAction.Block)
            {
                await TryWriteAsync(client.Stream, Forbidden, ct).ConfigureAwait(false);
                bytes.ClientWritten += Forbidden.Length;
                LogRequest(audit, depth, requestId, request, host, 403, 0, 0);
                return StreamInspector.Forbid(audit, "websocket is blocked by websocket_inspect_policy");
            }
            // With ICAP services the exchange is adapted (REQMOD, RESPMOD); upgrades pass unadapted.
            if (!upgrade && !request.IsConnect && (audit.Auditor.IcapReqmod ?? audit.Auditor.IcapRespmod) is not null)
            {
                var icapEnd = await IcapH1Exchange.RunAsync(audit, client, remote, clientReader, remoteReader, request, reqHead!, reqFraming.Value, host, depth, requestId).ConfigureAwait(false);
                if (icapEnd is { } end) return end;
                continue;
            }
            if (!await TryWriteAsync(remote.Stream, reqHead!, ct).ConfigureAwait(false)) return RelayEnd.UpstreamWriteFailed;
            bytes.ClientRead += reqHead!.Length;
            bytes.RemoteWritten += reqHead.Length;
            var reqBody = await BodyForwarder.CopyAsync(reqFraming.Value, clientReader, remote.Stream, decodeChunked: false,
                cfg.BodyLineMaxLength, limiter: null, audit.Activity, ct).ConfigureAwait(false);
            bytes.ClientRead += reqBody.Read;
            bytes.RemoteWritten += reqBody.Written;
            if (!reqBody.Ok) return BodyEnd(reqBody.Status, fromClient: true);

            HttpResponseHead response;
            while (true)
            {
                var (readRsp, rsp, rspHead) = await ReadHeadAsync(remoteReader, cfg.RspHeaderMaxSize, cfg.RspHeaderRecvTimeout, audit, request: false).ConfigureAwait(false);
                switch (readRsp)
                {
                    case HeadRead.Closed: return RelayEnd.ClosedByUpstream;
                    case HeadRead.Failed: return RelayEnd.UpstreamReadFailed;
                    case HeadRead.TimedOut: return Fail(audit, "http1: no response head within rsp_header_recv_timeout");
                    case HeadRead.Invalid: return Fail(audit, "http1: invalid response head");
                }
                response = (HttpResponseHead)rsp!;
                if (!await TryWriteAsync(client.Stream, rspHead!, ct).ConfigureAwait(false)) return RelayEnd.ClientTcpWriteFailed;
                bytes.RemoteRead += rspHead!.Length;
                bytes.ClientWritten += rspHead.Length;
                // 100 Continue and the other interim answers come before the real one.
                if (response.Status is >= 100 and < 200 && response.Status != 101) continue;
                break;
            }
            // After 101 (WebSocket) or a 2xx to a CONNECT the stream is no longer HTTP/1.
            if (response.Status == 101 || (request.IsConnect && response.Status is >= 200 and < 300))
            {
                LogRequest(audit, depth, requestId, request, host, response.Status, reqBody.Read, 0);
                var relayed = RelayUpgradedAsync(audit, client, remote, clientReader, remoteReader);
                return upgrade && response.Status == 101
                    ? await WebSocketInterceptor.RelayAsync(audit, depth, request, response, relayed).ConfigureAwait(false)
                    : await relayed.ConfigureAwait(false);
            }
            var rspFraming = BodyFraming.ForResponse(request.Method, response);
            if (rspFraming is null) return Fail(audit, "http1: invalid response framing");
            var rspBody = await BodyForwarder.CopyAsync(rspFraming.Value, remoteReader, client.Stream, decodeChunked: false,
                cfg.BodyLineMaxLength, limiter: null, audit.Activity, ct).ConfigureAwait(false);
            bytes.RemoteRead += rspBody.Read;
            bytes.ClientWritten += rspBody.Written;
            LogRequest(audit, depth, requestId, request, host, response.Status, reqBody.Read, rspBody.Read);
            if (!rspBody.Ok) return BodyEnd(rspBody.Status, fromClient: false);
            if (rspFraming.Value.Kind == BodyKind.UntilClose || response.Headers.HasToken("Connection", "close"))
            {
                await client.ShutdownSendAsync().ConfigureAwait(false);
                return RelayEnd.ClosedByUpstream;
            }
        }
    }

    /// <summary>
    /// One head, its raw bytes kept to pass on unchanged. The wait limit covers the whole head; a
    /// connection that closes before its first byte is a plain close.
    /// </summary>
    internal static async Task<(HeadRead, object?, byte[]?)> ReadHeadAsync(PipeReader reader, int maxSize, TimeSpan limit, TunnelAudit audit, bool request)
    {
        using var timeout = new CancellationTokenSource(limit, audit.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(audit.Token, timeout.Token);
        while (true)
        {
            ReadResult r;
            try
            {
                r = await reader.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !audit.Token.IsCancellationRequested)
            {
                return (HeadRead.TimedOut, null, null);
            }
            catch (Exception e) when (IoErrors.IsExpected(e))
            {
                return (HeadRead.Failed, null, null);
            }
            var buffer = r.Buffer;
            object? head;
            int wireLength;
            HeadParseStatus status;
            if (request)
            {
                status = HttpHeadParser.TryParseRequest(buffer, maxSize, MaxHeaderFields, out var h, out _);
                head = h;
                wireLength = h?.WireLength ?? 0;
            }
            else
            {
                status = HttpHeadParser.TryParseResponse(buffer, maxSize, MaxHeaderFields, out var h, out _);
                head = h;
                wireLength = h?.WireLength ?? 0;
            }
            if (status == HeadParseStatus.Done)
            {
                // Passed on exactly as received: the interception observes, it does not rewrite.
                var raw = buffer.Slice(0, wireLength).ToArray();
                reader.AdvanceTo(buffer.GetPosition(wireLength));
                audit.Activity.Touch();
                return (HeadRead.Done, head, raw);
            }
            if (status != HeadParseStatus.Incomplete)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return (HeadRead.Invalid, null, null);
            }
            if (r.IsCompleted)
            {
                var empty = buffer.IsEmpty;
                reader.AdvanceTo(buffer.End);
                return (empty ? HeadRead.Closed : HeadRead.Invalid, null, null);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>What the readers hold goes first, then the plain relay.</summary>
    internal static async Task<RelayEnd> RelayUpgradedAsync(TunnelAudit audit, RelayEndpoint client, RelayEndpoint remote, PipeReader clientReader, PipeReader remoteReader)
    {
        var clientLeft = Drain(clientReader);
        var remoteLeft = Drain(remoteReader);
        return await TunnelRelay.RunAsync(
            client with { Stream = new PrefixedStream(clientLeft, client.Stream) },
            remote with { Stream = new PrefixedStream(remoteLeft, remote.Stream) },
            audit.Options, audit.Notes.Bytes, audit.Activity).ConfigureAwait(false);
    }

    private static byte[] Drain(PipeReader reader)
    {
        if (!reader.TryRead(out var r)) return [];
        var left = r.Buffer.ToArray();
        reader.AdvanceTo(r.Buffer.End);
        return left;
    }

    internal static async Task<bool> TryWriteAsync(Stream stream, byte[] data, CancellationToken ct)
    {
        try
        {
            await stream.WriteAsync(data, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            return false;
        }
    }

    internal static RelayEnd BodyEnd(BodyCopyStatus status, bool fromClient) => (status, fromClient) switch
    {
        (BodyCopyStatus.SourceClosedEarly, true) => RelayEnd.ClosedByClient,
        (BodyCopyStatus.SourceClosedEarly, false) => RelayEnd.ClosedByUpstream,
        (BodyCopyStatus.SourceFailed, true) => RelayEnd.ClientTcpReadFailed,
        (BodyCopyStatus.SourceFailed, false) => RelayEnd.UpstreamReadFailed,
        (BodyCopyStatus.DestinationFailed, true) => RelayEnd.UpstreamWriteFailed,
        (BodyCopyStatus.DestinationFailed, false) => RelayEnd.ClientTcpWriteFailed,
        _ => RelayEnd.InterceptionError,
    };

    internal static RelayEnd Fail(TunnelAudit audit, string why)
    {
        audit.Notes.Error = why;
        return RelayEnd.InterceptionError;
    }

    private static string HostOnly(string host)
    {
        if (host.StartsWith('[')) return host[..(host.IndexOf(']') + 1)];
        var colon = host.LastIndexOf(':');
        return colon > 0 && host.IndexOf(':') == colon ? host[..colon] : host;
    }

    /// <summary>g3's HttpForward intercept record, with the body bytes each way.</summary>
    internal static void LogRequest(TunnelAudit audit, int depth, int requestId, HttpRequestHead req, string host, int status, long reqBody, long rspBody)
    {
        var uri = LoggedUri.Of(req.Target, InterceptLog.UriMaxChars(audit));
        var r = InterceptLog.Start(audit, "HttpForward", depth);
        r.Add("request_id", requestId).Add("method", req.Method).Add("uri", uri).Add("host", host)
            .Add("rsp_status", status).Add("req_body_bytes", reqBody).Add("rsp_body_bytes", rspBody);
        audit.Logger.LogIntercept(r);
    }
}
