using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Resolvers.Wire;
using Proxy.Actors.Tls;

namespace Proxy.Actors.Resolvers.Hickory;

/// <summary>
/// DNS over HTTPS (RFC 8484): each query is a POST of application/dns-message to
/// <c>https://tls_name:port/dns-query</c> (hickory's path), sent to the configured server
/// address whatever the name resolves to. HTTP/2 when the server offers it (ALPN), HTTP/1.1
/// otherwise; one pooled connection is shared by concurrent queries.
/// </summary>
internal sealed class HttpsDnsExchange : IDnsExchange, IDisposable
{
    /// <summary>A DNS message is at most 65535 bytes (RFC 8484 section 6).</summary>
    private const int MaxReply = 65535;
    private static readonly MediaTypeHeaderValue DnsMessage = new("application/dns-message");

    private readonly HttpClient _client;
    private readonly Uri _uri;
    private readonly TimeSpan _budget;
    private readonly TimeProvider _time;

    public HttpsDnsExchange(IPEndPoint server, DnsSocketSetup setup, DnsEncryptionConfig encryption,
        TimeSpan connectTimeout, TimeSpan requestTimeout, TimeProvider time)
    {
        _time = time;
        // Connect and TLS happen inside SendAsync; the request's budget covers both steps.
        _budget = connectTimeout + requestTimeout;
        _uri = new UriBuilder(Uri.UriSchemeHttps, encryption.TlsName, server.Port, "/dns-query").Uri;
        Server = $"https://{server}/dns-query";
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
                new NetworkStream(await DnsSockets.ConnectTcpAsync(server, setup, connectTimeout, time, ct).ConfigureAwait(false), ownsSocket: true),
            SslOptions = TlsClientHandshake.BuildOptions(encryption.TlsName, encryption.TlsClient),
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            MaxResponseHeadersLength = 16,
        };
        _client = new HttpClient(handler)
        {
            Timeout = Timeout.InfiniteTimeSpan, // our own budget, on the TimeProvider
            MaxResponseContentBufferSize = MaxReply,
        };
    }

    public string Server { get; }

    public async Task<DnsExchangeResult> ExchangeAsync(byte[] query, ushort id, ushort type, CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(_budget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        // A message made here does not take the client's default version: ask for HTTP/2 on it.
        using var request = new HttpRequestMessage(HttpMethod.Post, _uri)
        {
            Content = new ByteArrayContent(query),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Content.Headers.ContentType = DnsMessage;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dns-message"));
        try
        {
            // ResponseContentRead: the body is buffered under MaxResponseContentBufferSize, so it is bounded.
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return DnsExchangeResult.Unreachable($"{Server}: HTTP {(int)response.StatusCode}");
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            return DnsWire.Parse(body, type) is { } reply && reply.Id == id
                ? DnsExchangeResult.Of(reply)
                : DnsExchangeResult.Unreachable($"{Server}: malformed reply");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return DnsExchangeResult.TimedOut($"no answer from {Server} within connect_timeout + request_timeout");
        }
        catch (HttpRequestException e)
        {
            // The outer message is generic ("an error occurred while sending"); the cause is inside.
            return DnsExchangeResult.Unreachable($"{Server}: {Innermost(e).Message}");
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner) e = inner;
        return e;
    }

    public void Dispose() => _client.Dispose();
}
