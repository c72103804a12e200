using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Protocols.Icap;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Icap;

/// <summary>
/// The ICAP (RFC 3507) client of one service. <see cref="ReqmodAsync"/> and <see cref="RespmodAsync"/>
/// take an HTTP head and its body as content (decoded, unframed; null for none) and answer with an
/// <see cref="IcapResult"/>. Bodies stream: with the service's Preview (and no_preview off) the first
/// bytes go as a preview, ending in <c>ieof</c> when they are the whole body; <c>100 Continue</c>
/// brings the rest; <c>204</c> sends the original on. <c>Allow: 204</c> is offered when the proxy
/// still holds the whole body (none, or all of it in the preview).
/// </summary>
public sealed class IcapClient : IAsyncDisposable
{
    private const int ChunkSize = 16 * 1024;
    private readonly IcapService _service;

    public IcapClient(IcapServiceConfig config, TimeProvider time) => _service = new IcapService(config, time);

    public IcapServiceConfig Config => _service.Config;

    public Task<IcapResult> ReqmodAsync(HttpRequestHead request, Stream? body, IcapCall call, CancellationToken ct) =>
        ExchangeAsync(IcapRequestHead.Encode(request), null, body, call, ct);

    public Task<IcapResult> RespmodAsync(HttpRequestHead request, HttpResponseHead response, Stream? body, IcapCall call, CancellationToken ct) =>
        ExchangeAsync(IcapRequestHead.Encode(request), IcapRequestHead.Encode(response), body, call, ct);

    private async Task<IcapResult> ExchangeAsync(byte[] reqHdr, byte[]? resHdr, Stream? body, IcapCall call, CancellationToken ct)
    {
        var cfg = _service.Config;
        var (conn, fetchError) = await _service.FetchAsync(call.Wait, ct).ConfigureAwait(false);
        if (conn is null)
        {
            // g3's bypass covers exactly this: the service cannot be reached (connect, OPTIONS).
            return cfg.Bypass
                ? new IcapResult(IcapAction.Bypassed) { Body = body, Error = fetchError }
                : new IcapResult(IcapAction.Failed) { Error = fetchError };
        }
        var exchange = new Exchange(_service, conn, call, ct);
        try
        {
            return await exchange.RunAsync(reqHdr, resHdr, body).ConfigureAwait(false);
        }
        catch (Exception e) when (IoErrors.IsExpected(e) && !ct.IsCancellationRequested)
        {
            await exchange.AbandonAsync().ConfigureAwait(false);
            return new IcapResult(IcapAction.Failed) { Error = "ICAP connection failed: " + e.Message };
        }
        catch
        {
            await exchange.AbandonAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>One REQMOD or RESPMOD on one connection; owns the connection until its result is disposed.</summary>
    private sealed class Exchange(IcapService service, IcapConnection conn, IcapCall call, CancellationToken ct)
    {
        private readonly CancellationTokenSource _sendCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        private Task<bool>? _sending;
        private DecodedBody? _icapBody;
        private bool _keepAlive = true;
        private bool _released;

        private IcapServiceConfig Cfg => service.Config;
        private bool Reqmod => Cfg.Method == IcapMethod.Reqmod;

        public async Task<IcapResult> RunAsync(byte[] reqHdr, byte[]? resHdr, Stream? body)
        {
            var options = conn.Options!;
            var head = new IcapRequestHead(service.Method, Cfg.Url, Cfg.BasicAuth).Client(call.Client, call.Username);
            foreach (var f in call.SharedHeaders) head.Field(f.Key, f.Value);
            if (call.TransformedFrom is { } from) head.Field("X-Transformed-From", from);
            var heads = resHdr is null ? "req-hdr=0" : $"req-hdr=0, res-hdr={reqHdr.Length}";
            var bodyAt = reqHdr.Length + (resHdr?.Length ?? 0);
            var previewSize = Cfg.NoPreview || call.NoPreview ? null : options.PreviewSize;

            byte[] prefix = [];
            var ieof = false;
            var previewSent = false;
            var tail = Array.Empty<byte>();
            if (body is null)
            {
                if (options.Support204) head.Field("Allow", "204");
                head.Field("Encapsulated", $"{heads}, null-body={bodyAt}");
            }
            else
            {
                if (previewSize is { } n)
                {
                    var (bytes, ended, timedOut) = await ReadPreviewAsync(body, n).ConfigureAwait(false);
                    prefix = bytes;
                    if (!timedOut)
                    {
                        previewSent = true;
                        ieof = ended;
                        // The whole body is in hand: a 204 can be honoured even outside the preview.
                        if (ieof && options.Support204) head.Field("Allow", "204");
                        head.Field("Preview", prefix.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        tail = ieof ? IcapChunks.LastIeof : IcapChunks.Last;
                    }
                }
                head.Field("Encapsulated", $"{heads}, {(Reqmod ? "req-body" : "res-body")}={bodyAt}");
            }

            var icapHead = head.Build();
            using (var w = new HeadWriter(icapHead.Length + bodyAt + prefix.Length + 32))
            {
                w.Append(icapHead).Append(reqHdr);
                if (resHdr is not null) w.Append(resHdr);
                if (previewSent)
                {
                    if (prefix.Length > 0) w.Append(IcapChunks.SizeLine(prefix.Length)).Append(prefix).Append(IcapChunks.Crlf);
                    w.Append(tail);
                }
                await conn.Stream.WriteAsync(w.Written, ct).ConfigureAwait(false);
            }
            // Without a preview the body streams while the answer is awaited (a server may answer early).
            if (body is not null && !previewSent) _sending = SendRestAsync(prefix, body);

            var (rsp, error) = await ReadHeadAsync().ConfigureAwait(false);
            if (rsp is null) return await FailAsync(error!).ConfigureAwait(false);
            if (rsp.Status == 100)
            {
                if (!previewSent || ieof) return await FailAsync("ICAP server sent 100 Continue where none was asked for").ConfigureAwait(false);
                _sending = SendRestAsync([], body!);
                (rsp, error) = await ReadHeadAsync().ConfigureAwait(false);
                if (rsp is null) return await FailAsync(error!).ConfigureAwait(false);
            }
            _keepAlive = rsp.KeepAlive;
            var enc = Encapsulated.Parse(rsp.Headers.Get("Encapsulated"));
            if (enc is null) return await FailAsync("invalid Encapsulated header in the ICAP answer").ConfigureAwait(false);
            var shared = Shared(rsp);

            if (rsp.Status == 204)
            {
                if (enc.HasBody || enc.HeadsLength > 0) return await FailAsync("ICAP 204 with a payload").ConfigureAwait(false);
                // 204 outside a preview is valid only when Allow: 204 was sent: the proxy must still hold the body.
                if (body is not null && _sending is not null) return await FailAsync("ICAP 204 after the body was streamed").ConfigureAwait(false);
                Stream? original = body is null ? null : ieof ? new MemoryStream(prefix, writable: false) : new PrefixedStream(prefix, body);
                return new IcapResult(IcapAction.Original, ReleaseAsync) { Body = original, SharedHeaders = shared };
            }
            if (rsp.Status is < 200 or >= 300)
                return await FailAsync($"ICAP server answered {rsp.Status} {rsp.Reason}".TrimEnd()).ConfigureAwait(false);

            var (encapsulated, headError) = await IcapWire.ReadExactAsync(conn.Reader, enc.HeadsLength, call.Wait, service.Time, ct).ConfigureAwait(false);
            if (encapsulated is null) return await FailAsync(headError!).ConfigureAwait(false);
            if (enc.HasBody)
            {
                _icapBody = DecodedBody.Start(new BodyFraming(BodyKind.Chunked, -1), conn.Reader, Cfg.IcapMaxHeaderSize, call.Activity, ct);
            }
            var consumed = body is null || ieof || _sending is not null;
            var reqPart = encapsulated.AsSpan(0, enc.ReqHdrLength).ToArray();
            var resPart = encapsulated.AsSpan(enc.ReqHdrLength).ToArray();
            if (enc.ResHdrLength > 0)
            {
                var parsed = ParseResponse(resPart);
                if (parsed is null) return await FailAsync("invalid HTTP response head from the ICAP server").ConfigureAwait(false);
                return new IcapResult(Reqmod ? IcapAction.Respond : IcapAction.Modified, ReleaseAsync)
                {
                    Response = parsed, Body = _icapBody?.Stream, BodyFromIcap = true, ClientBodyConsumed = consumed, SharedHeaders = shared,
                };
            }
            if (Reqmod && enc.ReqHdrLength > 0)
            {
                var parsed = ParseRequest(reqPart);
                if (parsed is null) return await FailAsync("invalid HTTP request head from the ICAP server").ConfigureAwait(false);
                return new IcapResult(IcapAction.Modified, ReleaseAsync)
                {
                    Request = parsed, Body = _icapBody?.Stream, BodyFromIcap = true, ClientBodyConsumed = consumed, SharedHeaders = shared,
                };
            }
            return await FailAsync($"ICAP {rsp.Status} without an encapsulated {(Reqmod ? "request or response" : "response")}").ConfigureAwait(false);
        }

        /// <summary>Up to <paramref name="size"/> body bytes within preview_data_read_timeout; on timeout no preview is used (g3).</summary>
        private async Task<(byte[] Bytes, bool Ended, bool TimedOut)> ReadPreviewAsync(Stream body, int size)
        {
            var buf = new byte[size];
            var got = 0;
            using var limit = new CancellationTokenSource(Cfg.PreviewDataReadTimeout, service.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
            try
            {
                while (got < size)
                {
                    var n = await body.ReadAsync(buf.AsMemory(got), linked.Token).ConfigureAwait(false);
                    if (n == 0) return (buf[..got], true, false);
                    got += n;
                }
                return (buf, false, false);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                // What was read is not lost: it leads the body sent without a preview.
                return (buf[..got], false, true);
            }
        }

        /// <summary>The body after what was already sent, chunked, then the last chunk.</summary>
        private async Task<bool> SendRestAsync(byte[] first, Stream body)
        {
            var token = _sendCts.Token;
            try
            {
                if (first.Length > 0) await WriteChunkAsync(first, token).ConfigureAwait(false);
                var buf = new byte[ChunkSize];
                int n;
                while ((n = await body.ReadAsync(buf, token).ConfigureAwait(false)) > 0)
                {
                    await WriteChunkAsync(buf.AsMemory(0, n), token).ConfigureAwait(false);
                    call.Activity?.Touch();
                }
                await conn.Stream.WriteAsync(IcapChunks.Last, token).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (IoErrors.IsExpected(e) || e is OperationCanceledException)
            {
                return false;
            }
        }

        private async Task WriteChunkAsync(ReadOnlyMemory<byte> data, CancellationToken token)
        {
            await conn.Stream.WriteAsync(IcapChunks.SizeLine(data.Length), token).ConfigureAwait(false);
            await conn.Stream.WriteAsync(data, token).ConfigureAwait(false);
            await conn.Stream.WriteAsync(IcapChunks.Crlf, token).ConfigureAwait(false);
        }

        private Task<(IcapResponseHead?, string?)> ReadHeadAsync() =>
            IcapWire.ReadHeadAsync(conn.Reader, Cfg.IcapMaxHeaderSize, call.Wait, service.Time, ct);

        private List<KeyValuePair<string, string>> Shared(IcapResponseHead rsp) =>
            Cfg.RespondSharedNames.Count == 0 ? [] : rsp.Headers.Fields.Where(f => Cfg.RespondSharedNames.Contains(f.Key.ToLowerInvariant())).ToList();

        private static HttpRequestHead? ParseRequest(byte[] bytes) =>
            HttpHeadParser.TryParseRequest(new(bytes), bytes.Length, 1024, out var head, out _) == HeadParseStatus.Done ? head : null;

        private static HttpResponseHead? ParseResponse(byte[] bytes) =>
            HttpHeadParser.TryParseResponse(new(bytes), bytes.Length, 1024, out var head, out _) == HeadParseStatus.Done ? head : null;

        private async Task<IcapResult> FailAsync(string error)
        {
            await AbandonAsync().ConfigureAwait(false);
            return new IcapResult(IcapAction.Failed) { Error = error };
        }

        public async ValueTask AbandonAsync()
        {
            _keepAlive = false;
            await ReleaseAsync().ConfigureAwait(false);
        }

        /// <summary>The connection goes back to the pool only when both directions of the exchange ended cleanly.</summary>
        private async ValueTask ReleaseAsync()
        {
            if (_released) return;
            _released = true;
            var clean = _keepAlive;
            if (_sending is not null)
            {
                if (!_sending.IsCompleted)
                {
                    clean = false;
                    await _sendCts.CancelAsync().ConfigureAwait(false);
                }
                clean &= await _sending.ConfigureAwait(false);
            }
            if (_icapBody is not null)
            {
                clean &= _icapBody.Completion.IsCompletedSuccessfully && _icapBody.Completion.Result.Ok;
                await _icapBody.DisposeAsync().ConfigureAwait(false);
            }
            _sendCts.Dispose();
            await service.ReleaseAsync(conn, clean).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => _service.DisposeAsync();
}
