using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// g3's H1Websocket: after a <c>101</c> to an <c>Upgrade: websocket</c> request (websocket_inspect_policy
/// did not block it), the frames go both ways through the plain relay, as g3 relays them, and the
/// end gets one Intercept record naming the WebSocket (resource, origin, sub-protocol, version).
/// </summary>
internal static class WebSocketInterceptor
{
    public static async Task<RelayEnd> RelayAsync(TunnelAudit audit, int depth, HttpRequestHead request, HttpResponseHead response, Task<RelayEnd> relay)
    {
        audit.Notes.Stage = "WebSocket";
        var end = await relay.ConfigureAwait(false);
        var finished = end is RelayEnd.ClosedByClient or RelayEnd.ClosedByUpstream;
        var r = InterceptLog.Start(audit, "H1Websocket", depth, finished ? "finished" : end.ToString());
        r.Add("upstream", audit.Upstream.ToString()).Add("ws_resource_name", request.Target);
        AddIfPresent(r, "ws_origin", request.Headers.Get("Origin"));
        AddIfPresent(r, "ws_sub_protocol", response.Headers.Get("Sec-WebSocket-Protocol"));
        AddIfPresent(r, "ws_version", request.Headers.Get("Sec-WebSocket-Version"));
        audit.Logger.LogIntercept(r);
        return end;
    }

    private static void AddIfPresent(Logging.LogRecord r, string key, string? value)
    {
        if (value is not null) r.Add(key, value);
    }
}
