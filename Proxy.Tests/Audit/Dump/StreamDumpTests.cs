using System.Net;
using System.Net.Sockets;
using System.Text;
using Proxy.Actors.Audit.Dump;
using Proxy.Actors.Config.Auditors;

namespace Proxy.Tests.Audit.Dump;

public sealed class StreamDumpTests
{
    private static readonly IPEndPoint Client = new(IPAddress.Parse("192.0.2.10"), 40000);
    private static readonly IPEndPoint LocalServer = new(IPAddress.Parse("127.0.0.1"), 3128);
    private static readonly IPEndPoint LocalClient = new(IPAddress.Parse("127.0.0.1"), 50000);
    private static readonly IPEndPoint Remote = new(IPAddress.Parse("198.51.100.7"), 443);

    [Fact]
    public async Task WritesAndReads_AreExportedAsPdusWithFakeTcpSequence_SplitAtThePacketSize()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await using var dumper = new StreamDumper(new StreamDumpConfig { Peer = (IPEndPoint)udp.Client.LocalEndPoint!, PacketSize = 1200 });
        var flow = new DumpFlow(dumper, Client, LocalServer, LocalClient, Remote, DissectorHint.Protocol("http"));
        var request = Encoding.ASCII.GetBytes("GET /dumped HTTP/1.1\r\nHost: example.test\r\n\r\n");
        var response = new byte[3000];
        Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n").CopyTo(response, 0);
        // the remote side, as g3 dumps it by default: written = to the remote, read = to the client
        var inner = new MemoryStream();
        inner.Write(response);
        inner.Position = 0;
        await using var stream = new DumpStream(inner, onRead: flow.ToClient, onWrite: flow.ToRemote);

        var read = 0;
        var buffer = new byte[4096];
        while (await stream.ReadAsync(buffer) is var n and > 0) read += n;
        await stream.WriteAsync(request);

        var frames = await UdpDumpFrame.ReceiveAsync(udp, f => f.Sum(x => x.Payload.Length) >= request.Length + response.Length);
        Assert.Equal(3000, read);
        var up = Assert.Single(frames, f => f.DstPort == 443);
        Assert.Equal(request, up.Payload);
        Assert.Equal("exported_pdu", UdpDumpFrame.Text(up.Inner, 12));
        Assert.Equal(Client.Address, UdpDumpFrame.Ip(up.Inner, 20));
        Assert.Equal(LocalServer.Address, UdpDumpFrame.Ip(up.Inner, 21));
        Assert.Equal(40000u, UdpDumpFrame.U32(up.Inner, 25));
        Assert.Equal(3128u, UdpDumpFrame.U32(up.Inner, 26));
        Assert.Equal("http", UdpDumpFrame.Text(up.Outer, 12));
        Assert.Equal(LocalClient.Address, UdpDumpFrame.Ip(up.Outer, 20));
        Assert.Equal(Remote.Address, UdpDumpFrame.Ip(up.Outer, 21));
        Assert.Equal(2u, UdpDumpFrame.U32(up.Outer, 24)); // port type TCP
        Assert.Equal((1u, 1u + (uint)request.Length, 3001u), up.TcpInfo); // acknowledges the 3000 bytes read before

        var down = frames.Where(f => f.DstPort == 50000).ToList();
        Assert.Equal(3, down.Count); // 3000 bytes in packets of 1200 with their headers
        Assert.All(down.SkipLast(1), f => Assert.Equal(1200, f.Size));
        Assert.True(down[^1].Size < 1200);
        Assert.Equal(response, down.SelectMany(f => f.Payload).ToArray());
        var seq = 1u;
        foreach (var f in down)
        {
            Assert.Equal((seq, seq + (uint)f.Payload.Length, 1u), f.TcpInfo);
            seq += (uint)f.Payload.Length;
        }
        Assert.Equal(Remote.Address, UdpDumpFrame.Ip(down[0].Outer, 20));
        Assert.Equal(LocalServer.Address, UdpDumpFrame.Ip(down[0].Inner, 20));
    }

    [Fact]
    public void DissectorHint_FollowsTheAlpnOrTheStartTlsProtocol_ElseTheTlsPortTable()
    {
        Assert.Equal("http", DissectorHint.ForTls(Proxy.Actors.Protocols.CertGen.TlsServiceType.Http, "http/1.1", 443).Name);
        Assert.Equal("http2", DissectorHint.ForTls(Proxy.Actors.Protocols.CertGen.TlsServiceType.Http, "h2", 443).Name);
        Assert.Equal("smtp", DissectorHint.ForTls(Proxy.Actors.Protocols.CertGen.TlsServiceType.Smtp, null, 25).Name);
        var byPort = DissectorHint.ForTls(Proxy.Actors.Protocols.CertGen.TlsServiceType.Http, null, 8443);
        Assert.Equal(("tls.port", (ushort)8443), (byPort.Table, byPort.Port));
    }
}
