using Proxy.Actors.Logging;
using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// g3's H2StreamForward: each stream Kestrel accepts from the client becomes one stream on the
/// upstream connection, head and body passed on as they come (both HTTP/2 stacks keep their own
/// flow control; a slow side slows the copy), with one Intercept record per stream.
/// </summary>
internal sealed class H2StreamForwarder : IHttpApplication<IFeatureCollection>
{
    private const int CopyBuffer = 16 * 1024;
    private const int RefusedStream = 0x7;

    /// <summary>Request headers that describe the client's connection or are set from elsewhere, not copied upstream.</summary>
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "Expect",
    };

    /// <summary>Response headers Kestrel sets itself or that are not valid on an HTTP/2 response.</summary>
    internal static readonly HashSet<string> NotReturned = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "Date", "Server",
    };

    public IFeatureCollection CreateContext(IFeatureCollection contextFeatures) => contextFeatures;

    public void DisposeContext(IFeatureCollection context, Exception? exception)
    {
    }

    public async Task ProcessRequestAsync(IFeatureCollection features)
    {
        var session = features.Get<H2Session>() ?? throw new InvalidOperationException("an h2 stream without its interception session");
        var request = features.GetRequiredFeature<IHttpRequestFeature>();
        var lifetime = features.GetRequiredFeature<IHttpRequestLifetimeFeature>();
        if (features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            await H2ExtendedConnect.RunAsync(session, features, connect).ConfigureAwait(false);
            return;
        }
        var audit = session.Audit;
        var record = new StreamRecord(session.NextStream(), request.Method, request.RawTarget, request.Headers.Host.ToString());
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(lifetime.RequestAborted, audit.Token);
        try
        {
            record.Error = await OpenStreamAsync(session, features, linked.Token).ConfigureAwait(false);
            if (record.Error is null)
            {
                try
                {
                    record.Error = await ForwardAsync(session, features, record, linked.Token).ConfigureAwait(false);
                }
                finally
                {
                    session.Slots.Release();
                }
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            record.Error = lifetime.RequestAborted.IsCancellationRequested ? "the client reset the stream" : "the task ended";
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            record.Error = "client: " + e.Message;
        }
        audit.Activity.Touch();
        Log(session, record);
    }

    /// <summary>
    /// A slot under the real server's stream limit within upstream_stream_open_timeout (null), or, as in
    /// g3, the client's stream reset with REFUSED_STREAM and the reason for the log.
    /// </summary>
    internal static async Task<string?> OpenStreamAsync(H2Session session, IFeatureCollection features, CancellationToken ct)
    {
        var audit = session.Audit;
        if (await session.Slots.AcquireAsync(audit.Auditor.Config.H2Interception.UpstreamStreamOpenTimeout, audit.Time, ct).ConfigureAwait(false))
            return null;
        features.Get<IHttpResetFeature>()?.Reset(RefusedStream);
        return "timeout to open upstream stream";
    }

    /// <summary>Forwards one exchange; the error for the log, or null.</summary>
    private static async Task<string?> ForwardAsync(H2Session session, IFeatureCollection features, StreamRecord record, CancellationToken ct)
    {
        var audit = session.Audit;
        var config = audit.Auditor.Config.H2Interception;
        var request = features.GetRequiredFeature<IHttpRequestFeature>();
        var response = features.GetRequiredFeature<IHttpResponseFeature>();
        var body = features.GetRequiredFeature<IHttpResponseBodyFeature>();
        if (request.Headers.ContainsKey("Expect") && !config.SilentDropExpectHeader)
        {
            // g3 answers an Expect it does not forward with 417 unless told to drop it silently.
            record.Status = 417;
            response.StatusCode = 417;
            await body.CompleteAsync().ConfigureAwait(false);
            return "expect header refused (silent_drop_expect_header is off)";
        }

        await using var icap = H2IcapStream.For(session, request);
        if (icap is not null)
        {
            var (settled, icapError) = await icap.ReqmodAsync(features, record, CanHaveBody(features) ? request.Body : null, ct).ConfigureAwait(false);
            if (settled) return icapError;
        }
        using var upstreamRequest = BuildRequest(session, features, record, icap);
        var (upstreamResponse, failStatus, failure) = await session.SendForHeadAsync(upstreamRequest, ct).ConfigureAwait(false);
        if (upstreamResponse is null)
            return await ReplyAsync(record, response, body, failStatus, failure!).ConfigureAwait(false);
        using (upstreamResponse)
        {
            var upstreamBody = await upstreamResponse.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await using (upstreamBody.ConfigureAwait(false))
            {
                var clientBody = upstreamBody;
                if (icap is null)
                {
                    record.Status = (int)upstreamResponse.StatusCode;
                    response.StatusCode = record.Status;
                    CopyHeaders(upstreamResponse.Headers, response.Headers);
                    CopyHeaders(upstreamResponse.Content.Headers, response.Headers);
                }
                else
                {
                    var (adapted, icapError) = await icap.RespmodAsync(features, record, upstreamResponse, upstreamBody, ct).ConfigureAwait(false);
                    if (adapted is null) return icapError;
                    clientBody = adapted;
                }
                var copied = await CopyAsync(clientBody, body.Stream, audit, ct).ConfigureAwait(false);
                record.ResponseBytes = copied.Bytes;
                Interlocked.Add(ref audit.Notes.Bytes.RemoteRead, copied.Bytes);
                if (copied.Error is not null)
                {
                    // Half a body must not look complete to the client: reset its stream.
                    features.GetRequiredFeature<IHttpRequestLifetimeFeature>().Abort();
                    return copied.Error;
                }
            }
            if (icap?.ResponseReplaced != true && upstreamResponse.TrailingHeaders.Any() && features.Get<IHttpResponseTrailersFeature>() is { } trailers)
                CopyHeaders(upstreamResponse.TrailingHeaders, trailers.Trailers);
            await body.CompleteAsync().ConfigureAwait(false);
            return null;
        }
    }

    private static bool CanHaveBody(IFeatureCollection features) => features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true;

    /// <summary>The upstream request: the client's, or what REQMOD made of it (<paramref name="icap"/>).</summary>
    private static HttpRequestMessage BuildRequest(H2Session session, IFeatureCollection features, StreamRecord record, H2IcapStream? icap)
    {
        var request = features.GetRequiredFeature<IHttpRequestFeature>();
        var target = request.RawTarget.StartsWith('/') ? request.RawTarget : "/";
        var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(session.BaseUri, target))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (record.Host.Length > 0) message.Headers.Host = record.Host;
        var adapted = icap?.Request;
        var hasBody = adapted is null ? CanHaveBody(features) : adapted.Body is not null;
        if (hasBody)
            {
            var audit = session.Audit;
            var counted = new H2CountingStream(adapted?.Body ?? request.Body, n =>
            {
                Interlocked.Add(ref record.RequestBytes, n);
                Interlocked.Add(ref audit.Notes.Bytes.RemoteWritten, n);
                if (n > 0) audit.Activity.Touch();
            }, _ => { });
            message.Content = new StreamContent(counted, CopyBuffer);
        }
        foreach (var (name, values) in request.Headers)
        {
            if (name.StartsWith(':') || NotForwarded.Contains(name)) continue;
            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!);
                continue;
            }
            message.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!);
        }
        icap?.ApplyTo(message, session.BaseUri);
        return message;
    }

    internal static void CopyHeaders(HttpHeaders from, IHeaderDictionary to)
    {
        foreach (var (name, values) in from)
        {
            if (NotReturned.Contains(name)) continue;
            to[name] = new StringValues(values.ToArray());
        }
    }

    private static async Task<string?> ReplyAsync(StreamRecord record, IHttpResponseFeature response, IHttpResponseBodyFeature body, int status, string error)
    {
        record.Status = status;
        if (!response.HasStarted) response.StatusCode = status;
        await body.CompleteAsync().ConfigureAwait(false);
        return error;
    }

    internal static async Task<(long Bytes, string? Error)> CopyAsync(Stream from, Stream to, TunnelAudit audit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBuffer);
        long total = 0;
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await from.ReadAsync(buffer, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException || (IoErrors.IsExpected(e) && e is not OperationCanceledException))
                {
                    return (total, "upstream body: " + e.Message);
                }
                if (n == 0) return (total, null);
                await to.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                total += n;
                audit.Activity.Touch();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>g3's H2StreamForward record, with the host and the body bytes each way.</summary>
    private static void Log(H2Session session, StreamRecord s)
    {
        var audit = session.Audit;
        var r = InterceptLog.Start(audit, "H2StreamForward", session.Depth, s.Error ?? "");
        r.Add("request_id", s.Id).Add("method", s.Method).Add("uri", LoggedUri.Of(s.Uri, InterceptLog.UriMaxChars(audit))).Add("host", s.Host)
            .Add("rsp_status", s.Status).Add("req_body_bytes", s.RequestBytes).Add("rsp_body_bytes", s.ResponseBytes);
        if (s.Error is not null) r.Add("error", s.Error);
        audit.Logger.LogIntercept(r);
    }

    /// <summary>What one stream's log record says, filled in as the exchange goes.</summary>
    internal sealed class StreamRecord(int id, string method, string uri, string host)
    {
        public int Id { get; } = id;
        public string Method { get; } = method;
        public string Uri { get; } = uri;
        public string Host { get; } = host;
        public int Status { get; set; }
        public long RequestBytes;
        public long ResponseBytes { get; set; }
        public string? Error { get; set; }
    }
}
