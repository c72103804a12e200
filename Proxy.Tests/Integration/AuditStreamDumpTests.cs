using System.Net;
using System.Net.Sockets;
using System.Text;
using Proxy.Actors.Audit.CertGen;
using Proxy.Tests.Audit;
using Proxy.Tests.Audit.Dump;

namespace Proxy.Tests.Integration;

/// <summary>tls_stream_dump with real parts: curl through an intercepted CONNECT, a UDP peer in the test reading the export.</summary>
[Collection(NodeCollection.Name)]
public sealed class AuditStreamDumpTests : AuditTestBase
{
    [Fact]
    public async Task InterceptedHttps_IsExportedDecrypted_TheRequestLineAndTheResponseAreInTheDump()
    {
        var (frames, port) = await CurlThroughTheDumpAsync("--http1.1", "/hello?dumped=1",
            (f, port) => Text(f, port, toOrigin: true).Contains("GET /hello?dumped=1 HTTP/1.1") && Text(f, port, toOrigin: false).Contains("hello"));

        var up = Text(frames, port, toOrigin: true);
        Assert.Contains("GET /hello?dumped=1 HTTP/1.1\r\n", up); // the plaintext request, as the origin got it
        Assert.Contains($"Host: localhost:{port}", up);
        Assert.StartsWith("HTTP/1.1 200", Text(frames, port, toOrigin: false));
        var first = frames.First(f => f.DstPort == (uint)port);
        Assert.Equal("http", UdpDumpFrame.Text(first.Outer, 12)); // curl's ALPN http/1.1 names the dissector
        Assert.Equal(IPAddress.Loopback, UdpDumpFrame.Ip(first.Outer, 21));
    }

    [Fact]
    public async Task InterceptedH2_IsExportedDecrypted_ThePrefaceAndTheResponseBodyAreInTheDump()
    {
        // the upstream side in plaintext: the HTTP/2 connection preface the proxy sent, the DATA frame's body back
        var (frames, port) = await CurlThroughTheDumpAsync("--http2", "/hello?h2=1",
            (f, port) => Text(f, port, toOrigin: true).Contains(H2Preface) && Text(f, port, toOrigin: false).Contains("hello"));

        Assert.StartsWith(H2Preface, Text(frames, port, toOrigin: true));
    }

    private const string H2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    /// <summary>curl through an intercepted CONNECT with tls_stream_dump on; the frames the UDP peer got until <paramref name="done"/>, and the origin's port.</summary>
    private async Task<(List<UdpDumpFrame> Frames, int OriginPort)> CurlThroughTheDumpAsync(string httpVersion, string path, Func<List<UdpDumpFrame>, int, bool> done)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var peer = (IPEndPoint)udp.Client.LocalEndPoint!;
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync($"    tls_stream_dump:\n      peer: {peer}");

        var (code, body, err) = await HttpForwardTests.RunAsync("curl",
            $"-sS --max-time 30 {httpVersion} -x {proxy.ProxyUri()} -p --cacert {CaFile()} https://localhost:{origin.HttpsPort}{path}", 60_000);

        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        return (await UdpDumpFrame.ReceiveAsync(udp, f => done(f, origin.HttpsPort)), origin.HttpsPort);
    }

    /// <summary>The payloads of one direction in order: towards the origin (its port the destination) or back from it.</summary>
    private static string Text(List<UdpDumpFrame> frames, int originPort, bool toOrigin) =>
        Encoding.ASCII.GetString(frames.Where(f => UdpDumpFrame.U32(f.Outer, toOrigin ? (ushort)26 : (ushort)25) == (uint)originPort)
            .SelectMany(f => f.Payload).ToArray());
}
