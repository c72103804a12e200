using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Proxy.Tests.Integration;

/// <summary>What the origin saw of one request.</summary>
public sealed record SeenRequest(string Method, string PathAndQuery, string Protocol, IReadOnlyDictionary<string, string> Headers, string BodySha256, long BodyLength, string ConnectionId);

/// <summary>
/// A real origin server (Kestrel, in-process) on 127.0.0.1, plain HTTP and HTTPS, that records
/// every request it serves so tests can assert what the origin saw.
/// </summary>
public sealed class TestOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;
    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    private TestOrigin(WebApplication app) => _app = app;

    public int HttpPort { get; private set; }
    public int HttpsPort { get; private set; }
    public string CaPem { get; private set; } = "";

    /// <summary>Deterministic body bytes: tests can rebuild the expected hash.</summary>
    public static byte[] Pattern(long n)
    {
        var data = new byte[n];
        for (long i = 0; i < n; i++) data[i] = (byte)((i * 31 + (i >> 8)) & 0xff);
        return data;
    }

    /// <param name="address">Where it listens (default 127.0.0.1).</param>
    /// <param name="kestrel">more Kestrel settings (HTTP/2 limits a test needs), applied after the defaults</param>
    public static async Task<TestOrigin> StartAsync(TestCertificates? certs = null, IPAddress? address = null,
        Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>? kestrel = null)
    {
        certs ??= new TestCertificates();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(address ?? IPAddress.Loopback, 0);
            k.Listen(address ?? IPAddress.Loopback, 0, l => l.UseHttps(certs.ServerCertificate));
            kestrel?.Invoke(k);
        });
        var app = builder.Build();
        var origin = new TestOrigin(app) { CaPem = certs.CaPem };
        app.Use(async (ctx, next) =>
        {
            // An extended CONNECT (WebSocket over h2) has no body to drain: its stream is the WebSocket's.
            var body = HttpMethods.IsConnect(ctx.Request.Method) ? Stream.Null : ctx.Request.Body;
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buf = new byte[64 * 1024];
            long total = 0;
            int n;
            var echo = ctx.Request.Path.StartsWithSegments("/echo");
            var echoed = echo ? new MemoryStream() : null;
            while ((n = await body.ReadAsync(buf)) > 0)
            {
                sha.AppendData(buf, 0, n);
                echoed?.Write(buf, 0, n);
                total += n;
            }
            var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            origin.Seen.Enqueue(new SeenRequest(ctx.Request.Method, ctx.Request.Path + ctx.Request.QueryString, ctx.Request.Protocol,
                headers, Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant(), total, ctx.Connection.Id));
            ctx.Items["echo"] = echoed;
            await next(ctx);
        });
        app.UseWebSockets();
        app.Map("/ws", async (HttpContext c) =>
        {
            if (!c.WebSockets.IsWebSocketRequest)
            {
                c.Response.StatusCode = 400;
                return;
            }
            // Echoes every message back, then closes when the client does.
            using var ws = await c.WebSockets.AcceptWebSocketAsync();
            var buf = new byte[4096];
            while (true)
            {
                var r = await ws.ReceiveAsync(buf, CancellationToken.None);
                if (r.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
                {
                    await ws.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }
                await ws.SendAsync(buf.AsMemory(0, r.Count), r.MessageType, r.EndOfMessage, CancellationToken.None);
            }
        });
        app.MapGet("/hello", () => "hello");
        app.MapGet("/conn", (HttpContext c) => c.Connection.Id);
        app.MapGet("/peer", (HttpContext c) => $"{c.Connection.RemoteIpAddress} {c.Connection.Id}");
        app.MapGet("/bytes/{n:long}", async (HttpContext c, long n) =>
        {
            c.Response.ContentLength = n;
            c.Response.ContentType = "application/octet-stream";
            var chunk = Pattern(Math.Min(n, 1 << 20));
            for (long sent = 0; sent < n; sent += chunk.Length)
                await c.Response.Body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, n - sent)));
        });
        app.MapGet("/chunked/{n:int}", async (HttpContext c, int n) =>
        {
            // No Content-Length and several flushes: Kestrel sends Transfer-Encoding: chunked.
            var data = Pattern(n);
            for (var i = 0; i < n; i += 1000)
            {
                await c.Response.Body.WriteAsync(data.AsMemory(i, Math.Min(1000, n - i)));
                await c.Response.Body.FlushAsync();
            }
        });
        app.Map("/echo", async (HttpContext c) =>
        {
            var echoed = (MemoryStream)c.Items["echo"]!;
            c.Response.Headers["X-Seen-Method"] = c.Request.Method;
            c.Response.ContentType = "application/octet-stream";
            if (c.Request.Query.ContainsKey("chunked"))
            {
                await c.Response.Body.WriteAsync(echoed.ToArray());
                await c.Response.Body.FlushAsync();
            }
            else
            {
                c.Response.ContentLength = echoed.Length;
                await c.Response.Body.WriteAsync(echoed.ToArray());
            }
        });
        app.MapGet("/throttled/{n:long}/{chunk:int}/{ms:int}", async (HttpContext c, long n, int chunk, int ms) =>
        {
            // A slow origin: n bytes in chunks with a pause between them, so a download is still
            // running when a test acts on the proxy.
            c.Response.ContentLength = n;
            c.Response.ContentType = "application/octet-stream";
            var data = Pattern(n);
            for (var sent = 0; sent < n; sent += chunk)
            {
                await c.Response.Body.WriteAsync(data.AsMemory(sent, (int)Math.Min(chunk, n - sent)));
                await c.Response.Body.FlushAsync();
                await Task.Delay(ms);
            }
        });
        app.MapGet("/slow/{ms:int}", async (int ms) =>
        {
            await Task.Delay(ms);
            return "late";
        });
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        foreach (var a in addresses)
        {
            var uri = new Uri(a);
            if (uri.Scheme == "https") origin.HttpsPort = uri.Port;
            else origin.HttpPort = uri.Port;
        }
        return origin;
    }

    public string Url(string path) => $"http://127.0.0.1:{HttpPort}{path}";
    public string HttpsUrl(string path) => $"https://127.0.0.1:{HttpsPort}{path}";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
