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
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var peer = (IPEndPoint)udp.Client.LocalEndPoint!;
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync($"    tls_stream_dump:\n      peer: {peer}");
        var ca = CaFile();

        var (code, body, err) = await HttpForwardTests.RunAsync("curl",
            $"-sS --max-time 30 --http1.1 -x {proxy.ProxyUri()} -p --cacert {ca} https://localhost:{origin.HttpsPort}/hello?dumped=1", 60_000);

        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        var frames = await UdpDumpFrame.ReceiveAsync(udp, f =>
            Text(f, origin.HttpsPort, toOrigin: true).Contains("GET /hello?dumped=1 HTTP/1.1") && Text(f, origin.HttpsPort, toOrigin: false).Contains("hello"));
        var up = Text(frames, origin.HttpsPort, toOrigin: true);
        Assert.Contains("GET /hello?dumped=1 HTTP/1.1\r\n", up); // the plaintext request, as the origin got it
        Assert.Contains($"Host: localhost:{origin.HttpsPort}", up);
        Assert.StartsWith("HTTP/1.1 200", Text(frames, origin.HttpsPort, toOrigin: false));
        var first = frames.First(f => f.DstPort == (uint)origin.HttpsPort);
        Assert.Equal("http", UdpDumpFrame.Text(first.Outer, 12)); // curl's ALPN http/1.1 names the dissector
        Assert.Equal(IPAddress.Loopback, UdpDumpFrame.Ip(first.Outer, 21));
    }

    /// <summary>The payloads of one direction in order: towards the origin (its port the destination) or back from it.</summary>
    private static string Text(List<UdpDumpFrame> frames, int originPort, bool toOrigin) =>
        Encoding.ASCII.GetString(frames.Where(f => UdpDumpFrame.U32(f.Outer, toOrigin ? (ushort)26 : (ushort)25) == (uint)originPort)
            .SelectMany(f => f.Payload).ToArray());
}
