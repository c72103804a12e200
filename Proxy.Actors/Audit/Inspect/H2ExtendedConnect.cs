using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// g3's H2ExtendedConnectTask: an RFC 8441 extended CONNECT stream (<c>:protocol</c>, e.g. WebSocket
/// over HTTP/2) inside h2 interception. websocket_inspect_policy may refuse it (403); otherwise it
/// becomes an extended CONNECT on the upstream connection (SocketsHttpHandler, which needs the real
/// server to allow it in its SETTINGS), the answer goes back, and on 2xx both streams are joined
/// byte for byte. One <c>H2ExtendedConnect</c> record for the head, and for WebSocket one
/// <c>H2Websocket</c> record when the streams end.
/// </summary>
internal static class H2ExtendedConnect
{
    private const int CopyBuffer = 16 * 1024;

    /// <summary>Headers of the client's CONNECT that are not the WebSocket's (or are set from elsewhere).</summary>
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", "Upgrade", "Content-Length" };

    public static async Task RunAsync(H2Session session, IFeatureCollection features, IHttpExtendedConnectFeature connect)
    {
        var audit = session.Audit;
        var request = features.GetRequiredFeature<IHttpRequestFeature>();
        var response = features.GetRequiredFeature<IHttpResponseFeature>();
        var lifetime = features.GetRequiredFeature<IHttpRequestLifetimeFeature>();
        var protocol = connect.Protocol ?? "";
        var websocket = protocol.Equals("websocket", StringComparison.OrdinalIgnoreCase);
        var host = request.Headers.Host.ToString();
        var status = 0;
        string message;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(lifetime.RequestAborted, audit.Token);
        try
        {
            if (websocket && audit.Auditor.Config.WebsocketInspectPolicy.Check(audit.Upstream.Host) == InspectAction.Block)
            {
                status = StatusCodes.Status403Forbidden;
                response.StatusCode = status;
                await features.GetRequiredFeature<IHttpResponseBodyFeature>().CompleteAsync().ConfigureAwait(false);
                LogHead(session, protocol, host, status, "websocket blocked by inspection policy");
                return;
            }
            if (await H2StreamForwarder.OpenStreamAsync(session, features, linked.Token).ConfigureAwait(false) is { } refused)
            {
                LogHead(session, protocol, host, 0, "head transfer error: " + refused);
                return;
            }
            try
            {
                (status, message) = await ExchangeAsync(session, features, connect, protocol, websocket, host, linked.Token).ConfigureAwait(false);
            }
            finally
            {
                session.Slots.Release();
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            message = lifetime.RequestAborted.IsCancellationRequested ? "the client reset the stream" : "the task ended";
        }
        catch (Exception e) when (IoErrors.IsExpected(e) || e is HttpRequestException)
        {
            message = "stream transfer error: " + e.Message;
        }
        if (message.Length > 0) LogHead(session, protocol, host, status, message);
        audit.Activity.Touch();
    }

    /// <summary>The head upstream and back, then (2xx) the joined streams; the status and what the head record says ("" when logged already).</summary>
    private static async Task<(int Status, string Message)> ExchangeAsync(H2Session session, IFeatureCollection features,
        IHttpExtendedConnectFeature connect, string protocol, bool websocket, string host, CancellationToken ct)
    {
        var audit = session.Audit;
        var request = features.GetRequiredFeature<IHttpRequestFeature>();
        var response = features.GetRequiredFeature<IHttpResponseFeature>();
        var target = request.RawTarget.StartsWith('/') ? request.RawTarget : "/";
        using var upstreamRequest = new HttpRequestMessage(HttpMethod.Connect, new Uri(session.BaseUri, target))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        upstreamRequest.Headers.Protocol = protocol;
        if (host.Length > 0) upstreamRequest.Headers.Host = host;
        foreach (var (name, values) in request.Headers)
        {
            if (name.StartsWith(':') || NotForwarded.Contains(name)) continue;
            upstreamRequest.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!);
        }

        var (upstreamResponse, failStatus, failure) = await session.SendForHeadAsync(upstreamRequest, ct).ConfigureAwait(false);
        if (upstreamResponse is null)
            return (await ReplyAsync(features, failStatus).ConfigureAwait(false), "head transfer error: " + failure);
        using (upstreamResponse)
        {
            var status = (int)upstreamResponse.StatusCode;
            foreach (var (name, values) in upstreamResponse.Headers)
            {
                if (name is "Date" or "Server") continue;
                response.Headers[name] = new StringValues(values.ToArray());
            }
            if (status is < 200 or > 299)
            {
                response.StatusCode = status;
                await features.GetRequiredFeature<IHttpResponseBodyFeature>().CompleteAsync().ConfigureAwait(false);
                return (status, "finished without data");
            }
            var upstream = await upstreamResponse.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await using (upstream.ConfigureAwait(false))
            {
                var client = await connect.AcceptAsync().ConfigureAwait(false);
                await using (client.ConfigureAwait(false))
                {
                    LogHead(session, protocol, host, status, "ok");
                    var end = await JoinAsync(audit, client, upstream, ct).ConfigureAwait(false);
                    if (websocket) LogWebsocket(session, host, request, upstreamResponse, end);
                    return (status, "");
                }
            }
        }
    }

    private static async Task<int> ReplyAsync(IFeatureCollection features, int status)
    {
        var response = features.GetRequiredFeature<IHttpResponseFeature>();
        if (!response.HasStarted) response.StatusCode = status;
        await features.GetRequiredFeature<IHttpResponseBodyFeature>().CompleteAsync().ConfigureAwait(false);
        return status;
    }

    /// <summary>Both directions until either ends (a WebSocket's close handshake has crossed by then); "finished" or what broke.</summary>
    private static async Task<string> JoinAsync(TunnelAudit audit, Stream client, Stream upstream, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var bytes = audit.Notes.Bytes;
        var up = PumpAsync(client, upstream, n => Interlocked.Add(ref bytes.RemoteWritten, n), audit, stop.Token);
        var down = PumpAsync(upstream, client, n => Interlocked.Add(ref bytes.RemoteRead, n), audit, stop.Token);
        var first = await Task.WhenAny(up, down).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        var end = await first.ConfigureAwait(false);
        await Task.WhenAll(up, down).ConfigureAwait(false);
        return end;
    }

    private static async Task<string> PumpAsync(Stream from, Stream to, Action<int> counted, TunnelAudit audit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBuffer);
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer, ct).ConfigureAwait(false);
                if (n == 0) return "finished";
                await to.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                await to.FlushAsync(ct).ConfigureAwait(false);
                counted(n);
                audit.Activity.Touch();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return "finished";
        }
        catch (Exception e) when (IoErrors.IsExpected(e) || e is HttpRequestException)
        {
            return "stream transfer error: " + e.Message;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>g3's H2ExtendedConnect record.</summary>
    private static void LogHead(H2Session session, string protocol, string host, int status, string message)
    {
        var audit = session.Audit;
        var r = InterceptLog.Start(audit, "H2ExtendedConnect", session.Depth, message);
        r.Add("next_protocol", protocol).Add("next_upstream", host).Add("rsp_status", status);
        audit.Logger.LogIntercept(r);
    }

    /// <summary>g3's H2Websocket record, one level deeper than the CONNECT.</summary>
    private static void LogWebsocket(H2Session session, string host, IHttpRequestFeature request, HttpResponseMessage response, string end)
    {
        var audit = session.Audit;
        var r = InterceptLog.Start(audit, "H2Websocket", session.Depth + 1, end);
        r.Add("upstream", host).Add("ws_resource_name", request.RawTarget);
        if (request.Headers.Origin is { Count: > 0 } origin) r.Add("ws_origin", origin.ToString());
        if (response.Headers.TryGetValues("Sec-WebSocket-Protocol", out var sub)) r.Add("ws_sub_protocol", string.Join(", ", sub));
        if (request.Headers.SecWebSocketVersion is { Count: > 0 } version) r.Add("ws_version", version.ToString());
        audit.Logger.LogIntercept(r);
    }
}
