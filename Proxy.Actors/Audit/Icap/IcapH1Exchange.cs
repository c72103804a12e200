using System.IO.Pipelines;
using System.Text;
using Proxy.Actors.Audit.Inspect;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.HttpCommon;
using static Proxy.Actors.Audit.Inspect.H1Interceptor;

namespace Proxy.Actors.Audit.Icap;

/// <summary>
/// One intercepted HTTP/1 exchange inside a tunnel when the auditor has ICAP services (g3's
/// h1 interception with REQMOD and RESPMOD): the request goes through REQMOD before the
/// upstream sees it (changed, or answered by the ICAP server itself, e.g. a 403 block page),
/// the response through RESPMOD before the client sees it. Every wait on the ICAP server is
/// bounded by h1_interception's rsp_header_recv_timeout; a failed adaptation answers the client
/// 500 (g3's InternalAdapterError) and ends the tunnel with the reason.
/// </summary>
internal static class IcapH1Exchange
{
    private static readonly byte[] AdapterError = Encoding.ASCII.GetBytes(
        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

    /// <summary>Null when the tunnel carries on with the next request, else how it ends.</summary>
    public static async Task<RelayEnd?> RunAsync(
        TunnelAudit audit, RelayEndpoint client, RelayEndpoint remote, PipeReader clientReader, PipeReader remoteReader,
        HttpRequestHead request, byte[] reqHead, BodyFraming reqFraming, string host, int depth, int requestId)
    {
        var cfg = audit.Auditor.Config.H1Interception;
        var bytes = audit.Notes.Bytes;
        var ct = audit.Token;
        var call = new IcapCall(audit.Notes.ClientAddr, audit.User?.Name, cfg.RspHeaderRecvTimeout) { Activity = audit.Activity };
        bytes.ClientRead += reqHead.Length;

        // REQMOD, then the request upstream.
        IReadOnlyList<KeyValuePair<string, string>> shared = [];
        long reqBodyBytes;
        if (audit.Auditor.IcapReqmod is { } reqmod)
        {
            await using var clientBody = reqFraming.Kind == BodyKind.None ? null
                : DecodedBody.Start(reqFraming, clientReader, cfg.BodyLineMaxLength, audit.Activity, ct);
            await using var adapted = await reqmod.ReqmodAsync(request, clientBody?.Stream, call, ct).ConfigureAwait(false);
            shared = adapted.SharedHeaders;
            if (adapted.Action == IcapAction.Failed) return await RefuseAsync(audit, client, request, host, depth, requestId, "icap reqmod: " + adapted.Error).ConfigureAwait(false);
            if (adapted.Action == IcapAction.Respond)
            {
                var (head, mode, close) = IcapBodyWriter.Response(request, adapted.Response!, adapted.Body is not null);
                var (written, n) = await IcapBodyWriter.WriteAsync(client.Stream, head, adapted.Body, mode, audit.Activity, ct).ConfigureAwait(false);
                bytes.ClientWritten += head.Length + n;
                LogRequest(audit, depth, requestId, request, host, adapted.Response!.Status, 0, n);
                if (written == BodyWrite.SourceFailed) return Fail(audit, "icap reqmod: the ICAP server's body broke off");
                if (written == BodyWrite.DestinationFailed) return RelayEnd.ClientTcpWriteFailed;
                // A client body the ICAP server did not wait for is still on the wire: this connection is done.
                if (!close && adapted.ClientBodyConsumed) return null;
                await client.ShutdownSendAsync().ConfigureAwait(false);
                return RelayEnd.ClosedByUpstream;
            }
            var (upHead, upMode) = adapted.Action == IcapAction.Modified
                ? IcapBodyWriter.Request(adapted.Request!, adapted.Body is not null)
                : (reqHead, IcapBodyWriter.OriginalMode(reqFraming));
            var (sent, sentBytes) = await IcapBodyWriter.WriteAsync(remote.Stream, upHead, adapted.Body, upMode, audit.Activity, ct).ConfigureAwait(false);
            bytes.RemoteWritten += upHead.Length + sentBytes;
            reqBodyBytes = sentBytes;
            if (sent == BodyWrite.DestinationFailed) return RelayEnd.UpstreamWriteFailed;
            if (sent == BodyWrite.SourceFailed)
                return adapted.BodyFromIcap ? Fail(audit, "icap reqmod: the ICAP server's body broke off") : RelayEnd.ClientTcpReadFailed;
            if (clientBody is not null && clientBody.Completion.IsCompletedSuccessfully) bytes.ClientRead += clientBody.Completion.Result.Read;
        }
        else
        {
            if (!await TryWriteAsync(remote.Stream, reqHead, ct).ConfigureAwait(false)) return RelayEnd.UpstreamWriteFailed;
            bytes.RemoteWritten += reqHead.Length;
            var body = await BodyForwarder.CopyAsync(reqFraming, clientReader, remote.Stream, decodeChunked: false,
                cfg.BodyLineMaxLength, limiter: null, audit.Activity, ct).ConfigureAwait(false);
            bytes.ClientRead += body.Read;
            bytes.RemoteWritten += body.Written;
            reqBodyBytes = body.Read;
            if (!body.Ok) return BodyEnd(body.Status, fromClient: true);
        }

        // The response head; interim answers pass straight on.
        HttpResponseHead response;
        byte[] rspHead;
        while (true)
        {
            var (read, rsp, raw) = await ReadHeadAsync(remoteReader, cfg.RspHeaderMaxSize, cfg.RspHeaderRecvTimeout, audit, request: false).ConfigureAwait(false);
            switch (read)
            {
                case H1Interceptor.HeadRead.Closed: return RelayEnd.ClosedByUpstream;
                case H1Interceptor.HeadRead.Failed: return RelayEnd.UpstreamReadFailed;
                case H1Interceptor.HeadRead.TimedOut: return Fail(audit, "http1: no response head within rsp_header_recv_timeout");
                case H1Interceptor.HeadRead.Invalid: return Fail(audit, "http1: invalid response head");
            }
            response = (HttpResponseHead)rsp!;
            rspHead = raw!;
            bytes.RemoteRead += rspHead.Length;
            if (response.Status is >= 100 and < 200 && response.Status != 101)
            {
                if (!await TryWriteAsync(client.Stream, rspHead, ct).ConfigureAwait(false)) return RelayEnd.ClientTcpWriteFailed;
                bytes.ClientWritten += rspHead.Length;
                continue;
            }
            break;
        }
        if (response.Status == 101)
        {
            if (!await TryWriteAsync(client.Stream, rspHead, ct).ConfigureAwait(false)) return RelayEnd.ClientTcpWriteFailed;
            bytes.ClientWritten += rspHead.Length;
            LogRequest(audit, depth, requestId, request, host, 101, reqBodyBytes, 0);
            return await RelayUpgradedAsync(audit, client, remote, clientReader, remoteReader).ConfigureAwait(false);
        }
        var rspFraming = BodyFraming.ForResponse(request.Method, response);
        if (rspFraming is null) return Fail(audit, "http1: invalid response framing");

        // RESPMOD, then the response to the client.
        var closeAfter = rspFraming.Value.Kind == BodyKind.UntilClose || response.Headers.HasToken("Connection", "close");
        var status = response.Status;
        long rspBodyBytes;
        if (audit.Auditor.IcapRespmod is { } respmod)
        {
            await using var upstreamBody = rspFraming.Value.Kind == BodyKind.None ? null
                : DecodedBody.Start(rspFraming.Value, remoteReader, cfg.BodyLineMaxLength, audit.Activity, ct);
            await using var adapted = await respmod.RespmodAsync(request, response, upstreamBody?.Stream, call with { SharedHeaders = shared }, ct).ConfigureAwait(false);
            if (adapted.Action == IcapAction.Failed) return await RefuseAsync(audit, client, request, host, depth, requestId, "icap respmod: " + adapted.Error).ConfigureAwait(false);
            byte[] head;
            BodyMode mode;
            if (adapted.Action == IcapAction.Modified)
            {
                (head, mode, var close) = IcapBodyWriter.Response(request, adapted.Response!, adapted.Body is not null);
                closeAfter |= close;
                status = adapted.Response!.Status;
            }
            else
            {
                (head, mode) = (rspHead, IcapBodyWriter.OriginalMode(rspFraming.Value));
            }
            var (written, n) = await IcapBodyWriter.WriteAsync(client.Stream, head, adapted.Body, mode, audit.Activity, ct).ConfigureAwait(false);
            bytes.ClientWritten += head.Length + n;
            rspBodyBytes = n;
            if (upstreamBody is not null && upstreamBody.Completion.IsCompletedSuccessfully) bytes.RemoteRead += upstreamBody.Completion.Result.Read;
            // An upstream body that RESPMOD answered without reading leaves the upstream connection mid-message.
            closeAfter |= upstreamBody is not null && !upstreamBody.Completion.IsCompletedSuccessfully;
            if (written == BodyWrite.DestinationFailed) { LogRequest(audit, depth, requestId, request, host, status, reqBodyBytes, n); return RelayEnd.ClientTcpWriteFailed; }
            if (written == BodyWrite.SourceFailed)
            {
                LogRequest(audit, depth, requestId, request, host, status, reqBodyBytes, n);
                return adapted.BodyFromIcap ? Fail(audit, "icap respmod: the ICAP server's body broke off") : RelayEnd.UpstreamReadFailed;
            }
        }
        else
        {
            if (!await TryWriteAsync(client.Stream, rspHead, ct).ConfigureAwait(false)) return RelayEnd.ClientTcpWriteFailed;
            bytes.ClientWritten += rspHead.Length;
            var body = await BodyForwarder.CopyAsync(rspFraming.Value, remoteReader, client.Stream, decodeChunked: false,
                cfg.BodyLineMaxLength, limiter: null, audit.Activity, ct).ConfigureAwait(false);
            bytes.RemoteRead += body.Read;
            bytes.ClientWritten += body.Written;
            rspBodyBytes = body.Read;
            if (!body.Ok) { LogRequest(audit, depth, requestId, request, host, status, reqBodyBytes, rspBodyBytes); return BodyEnd(body.Status, fromClient: false); }
        }
        LogRequest(audit, depth, requestId, request, host, status, reqBodyBytes, rspBodyBytes);
        if (!closeAfter) return null;
        await client.ShutdownSendAsync().ConfigureAwait(false);
        return RelayEnd.ClosedByUpstream;
    }

    /// <summary>g3 answers a failed adaptation with 500 and ends the task (InternalAdapterError); the reason goes to the task log.</summary>
    private static async Task<RelayEnd> RefuseAsync(TunnelAudit audit, RelayEndpoint client, HttpRequestHead request, string host, int depth, int requestId, string why)
    {
        if (await TryWriteAsync(client.Stream, AdapterError, audit.Token).ConfigureAwait(false)) audit.Notes.Bytes.ClientWritten += AdapterError.Length;
        LogRequest(audit, depth, requestId, request, host, 500, 0, 0);
        return Fail(audit, why);
    }
}
