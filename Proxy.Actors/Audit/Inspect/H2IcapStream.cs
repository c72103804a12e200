using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Proxy.Actors.Audit.Icap;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// ICAP for one intercepted h2 stream, as g3 adapts h2: the request goes to the REQMOD service and the
/// response to the RESPMOD service as HTTP/1.1 messages (request line from :method and :path, Host
/// from :authority, TE left out; status line with the status's reason phrase), marked
/// <c>X-Transformed-From: HTTP/2.0</c>, each wait bounded by h2_interception's rsp_header_recv_timeout.
/// A changed request goes upstream; an HTTP response from REQMOD (a block page) answers the stream and
/// nothing goes upstream; a changed response reaches the client. A failed adaptation resets the stream
/// (g3 sends no reply for an adapter error); an unreachable service with bypass lets the message pass.
/// </summary>
internal sealed class H2IcapStream : IAsyncDisposable
{
    private readonly TunnelAudit _audit;
    private readonly IcapCall _call;
    private readonly HttpRequestHead _head;
    private IcapResult? _reqmod;
    private IcapResult? _respmod;

    private H2IcapStream(TunnelAudit audit, IcapCall call, HttpRequestHead head)
    {
        _audit = audit;
        _call = call;
        _head = head;
    }

    /// <summary>Null when the auditor has no ICAP service, or for a CONNECT stream (passed unadapted).</summary>
    public static H2IcapStream? For(H2Session session, IHttpRequestFeature request)
    {
        var audit = session.Audit;
        if ((audit.Auditor.IcapReqmod ?? audit.Auditor.IcapRespmod) is null || request.Method == "CONNECT") return null;
        var call = new IcapCall(audit.Notes.ClientAddr, audit.User?.Name, audit.Auditor.Config.H2Interception.RspHeaderRecvTimeout)
        {
            Activity = audit.Activity,
            TransformedFrom = "HTTP/2.0",
        };
        return new H2IcapStream(audit, call, RequestHead(request));
    }

    /// <summary>REQMOD's decision on the request, once made: what goes upstream (null: the client's own request).</summary>
    public IcapResult? Request => _reqmod;

    /// <summary>True once RESPMOD replaced the upstream response (its trailers no longer belong to it).</summary>
    public bool ResponseReplaced => _respmod?.Action == IcapAction.Modified;

    /// <summary>
    /// REQMOD for the stream's request. True when the stream is settled here (the ICAP server answered it,
    /// or the adaptation failed and the stream was reset), with the error for the log; false when the
    /// request goes upstream, as <see cref="Request"/> and <see cref="ApplyTo"/> say.
    /// </summary>
    public async Task<(bool Settled, string? Error)> ReqmodAsync(IFeatureCollection features, H2StreamForwarder.StreamRecord record, Stream? body, CancellationToken ct)
    {
        if (_audit.Auditor.IcapReqmod is not { } reqmod) return (false, null);
        _reqmod = await reqmod.ReqmodAsync(_head, body, _call, ct).ConfigureAwait(false);
        switch (_reqmod.Action)
        {
            case IcapAction.Failed:
                features.GetRequiredFeature<IHttpRequestLifetimeFeature>().Abort();
                return (true, "icap reqmod: " + _reqmod.Error);
            case IcapAction.Respond:
                var rsp = _reqmod.Response!;
                record.Status = rsp.Status;
                var response = features.GetRequiredFeature<IHttpResponseFeature>();
                response.StatusCode = rsp.Status;
                CopyHeaders(rsp, response.Headers);
                var error = await SendBodyAsync(features, _reqmod.Body, record, ct).ConfigureAwait(false);
                return (true, error);
            default:
                return (false, null);
        }
    }

    /// <summary>The request REQMOD changed, in place of the client's (method, target, fields); the body is the caller's.</summary>
    public void ApplyTo(HttpRequestMessage message, Uri baseUri)
    {
        if (_reqmod is not { Action: IcapAction.Modified, Request: { } changed }) return;
        message.Method = new HttpMethod(changed.Method);
        message.RequestUri = new Uri(baseUri, changed.Target.StartsWith('/') ? changed.Target : "/");
        message.Headers.Clear();
        message.Content?.Headers.Clear();
        foreach (var (name, value) in changed.Headers.Fields)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)) { message.Headers.Host = value; continue; }
            // The ICAP server's body may differ in length from what its head says; the h2 frames carry it.
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)) continue;
            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)) message.Content?.Headers.TryAddWithoutValidation(name, value);
            else message.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>
    /// RESPMOD for the upstream response: sets the client's status and fields as RESPMOD left them and
    /// gives the body to send (null with the error for the log when the adaptation failed and the stream was reset).
    /// </summary>
    public async Task<(Stream? Body, string? Error)> RespmodAsync(
        IFeatureCollection features, H2StreamForwarder.StreamRecord record, HttpResponseMessage upstream, Stream upstreamBody, CancellationToken ct)
    {
        var response = features.GetRequiredFeature<IHttpResponseFeature>();
        if (_audit.Auditor.IcapRespmod is not { } respmod)
        {
            SetOriginal(record, response, upstream);
            return (upstreamBody, null);
        }
        var head = ResponseHead(upstream);
        var noBody = _head.Method == "HEAD" || head.Status is 204 or 304 || upstream.Content.Headers.ContentLength == 0;
        var call = _call with { SharedHeaders = _reqmod?.SharedHeaders ?? [] };
        _respmod = await respmod.RespmodAsync(_head, head, noBody ? null : upstreamBody, call, ct).ConfigureAwait(false);
        switch (_respmod.Action)
        {
            case IcapAction.Failed:
                features.GetRequiredFeature<IHttpRequestLifetimeFeature>().Abort();
                return (null, "icap respmod: " + _respmod.Error);
            case IcapAction.Modified:
                record.Status = _respmod.Response!.Status;
                response.StatusCode = record.Status;
                CopyHeaders(_respmod.Response, response.Headers);
                return (_respmod.Body ?? Stream.Null, null);
            default:
                SetOriginal(record, response, upstream);
                return (_respmod.Body ?? Stream.Null, null);
        }
    }

    private static void SetOriginal(H2StreamForwarder.StreamRecord record, IHttpResponseFeature response, HttpResponseMessage upstream)
    {
        record.Status = (int)upstream.StatusCode;
        response.StatusCode = record.Status;
        H2StreamForwarder.CopyHeaders(upstream.Headers, response.Headers);
        H2StreamForwarder.CopyHeaders(upstream.Content.Headers, response.Headers);
    }

    /// <summary>g3's conversion of an h2 request for an adapter: HTTP/1.1, the fields as they came (Kestrel puts :authority in Host), TE left out.</summary>
    internal static HttpRequestHead RequestHead(IHttpRequestFeature request)
    {
        var target = request.RawTarget.Length > 0 ? request.RawTarget : request.Method == "OPTIONS" ? "*" : "/";
        var head = new HttpRequestHead { Method = request.Method, Target = target, Version = 11 };
        foreach (var (name, values) in request.Headers)
        {
            if (name.StartsWith(':') || name.Equals("TE", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var value in values) head.Headers.Add(name, value ?? "");
        }
        return head;
    }

    /// <summary>g3's conversion of an h2 response for an adapter: an HTTP/1.1 status line with the status's reason phrase.</summary>
    internal static HttpResponseHead ResponseHead(HttpResponseMessage rsp)
    {
        var head = new HttpResponseHead { Version = 11, Status = (int)rsp.StatusCode, Reason = rsp.ReasonPhrase ?? "" };
        foreach (var (name, values) in rsp.Headers.Concat(rsp.Content.Headers))
            foreach (var value in values) head.Headers.Add(name, value);
        return head;
    }

    /// <summary>A head from the ICAP server onto the h2 response: the framing fields go, the h2 frames carry the body.</summary>
    private static void CopyHeaders(HttpResponseHead from, Microsoft.AspNetCore.Http.IHeaderDictionary to)
    {
        foreach (var group in from.Headers.Fields.GroupBy(f => f.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (H2StreamForwarder.NotReturned.Contains(group.Key) || group.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            to[group.Key] = new StringValues(group.Select(f => f.Value).ToArray());
        }
    }

    /// <summary>The ICAP server's answer body to the client, then the end of the stream.</summary>
    private async Task<string?> SendBodyAsync(IFeatureCollection features, Stream? body, H2StreamForwarder.StreamRecord record, CancellationToken ct)
    {
        var sink = features.GetRequiredFeature<IHttpResponseBodyFeature>();
        if (body is not null)
        {
            var (bytes, error) = await H2StreamForwarder.CopyAsync(body, sink.Stream, _audit, ct).ConfigureAwait(false);
            record.ResponseBytes = bytes;
            if (error is not null)
            {
                features.GetRequiredFeature<IHttpRequestLifetimeFeature>().Abort();
                return "icap reqmod: the ICAP server's body broke off";
            }
        }
        await sink.CompleteAsync().ConfigureAwait(false);
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_respmod is not null) await _respmod.DisposeAsync().ConfigureAwait(false);
        if (_reqmod is not null) await _reqmod.DisposeAsync().ConfigureAwait(false);
    }
}
