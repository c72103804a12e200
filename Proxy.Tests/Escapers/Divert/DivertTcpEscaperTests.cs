using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Divert;
using Proxy.Actors.Handles;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.ProxyProtocol;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Stats;

namespace Proxy.Tests.Escapers.Divert;

public sealed class DivertTcpEscaperTests
{
    private static DivertTcpEscaper Escaper(int port, EscaperStats? stats = null) => new(new DivertTcpEscaperConfig
    {
        Name = "divert",
        Position = new ConfigPosition("escaper.yml", 1),
        NextHop = new ProxyHttpEscaperConfig
        {
            Name = "divert",
            Position = new ConfigPosition("escaper.yml", 1),
            ProxyAddr = [new Weighted<UpstreamAddr>(new UpstreamAddr("127.0.0.1", port))],
        },
    }, new HandleRegistry<IResolver>(name => new DenyAllResolver(name)), stats: stats);

    private static TaskNotes Notes(string? user) => new()
    {
        ServerType = "HttpProxy",
        ServerName = "t",
        StartAt = DateTimeOffset.UtcNow,
        User = user,
        ClientAddr = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 51000),
        ServerAddr = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 8080),
    };

    /// <summary>Reads one PROXY v2 header (and what follows up to <paramref name="tail"/>) from the accepted socket.</summary>
    private static async Task<(ProxyHeader Header, string After)> ReadHeaderAsync(Socket accepted, int tail)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var data = new List<byte>();
        var buf = new byte[1024];
        while (true)
        {
            var n = await accepted.ReceiveAsync(buf, SocketFlags.None, cts.Token);
            Assert.NotEqual(0, n);
            data.AddRange(buf.AsSpan(0, n));
            var parsed = ProxyProtocolV2Parser.Parse(new ReadOnlySequence<byte>(data.ToArray()));
            if (parsed.Status == ParseStatus.Done && data.Count >= parsed.Consumed + tail)
                return (parsed.Value!, Encoding.ASCII.GetString(data.ToArray(), (int)parsed.Consumed, data.Count - (int)parsed.Consumed));
            Assert.NotEqual(ParseStatus.Invalid, parsed.Status);
        }
    }

    [Fact]
    public async Task Tcp_ThePeerReadsG3sTlvs_ThenTheTaskBytes()
    {
        using var peer = new TcpListener(IPAddress.Loopback, 0);
        peer.Start();
        var stats = new EscaperStats();
        using var escaper = Escaper(((IPEndPoint)peer.LocalEndpoint).Port, stats);
        var request = new EscapeRequest(Notes("alice"), new UpstreamAddr("www.example.net", 443), EscapeWant.Tcp);

        var result = await escaper.EscapeAsync(request, CancellationToken.None);
        Assert.True(result.Ok, result.Reason);
        using var accepted = await peer.AcceptSocketAsync();
        await result.Stream!.WriteAsync("hello"u8.ToArray());
        var (header, after) = await ReadHeaderAsync(accepted, 5);

        Assert.Equal(ProxyCommand.Proxy, header.Command);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 51000), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 8080), header.Destination);
        Assert.Equal("www.example.net:443", G3ProxyTlvs.ReadText(header, G3ProxyTlvs.Upstream));
        Assert.Null(header.Find(G3ProxyTlvs.TlsName));
        Assert.Equal("alice", G3ProxyTlvs.ReadText(header, G3ProxyTlvs.Username));
        Assert.Equal(Guid.ParseExact(request.TaskId, "N"), G3ProxyTlvs.ReadTaskId(header));
        Assert.Equal("hello", after);
        Assert.Equal(1, stats.TaskTotal);
        Assert.Equal(1, stats.TcpConnectEstablish);
        Assert.Same(stats, result.Stats);
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public void Tls_AddsTheVerifyName_AndNoUserLeavesOutTheUsername()
    {
        var request = new EscapeRequest(Notes(null), new UpstreamAddr("10.1.2.3", 443), EscapeWant.Tls) { TlsName = "origin.example" };

        var tlvs = DivertTcpEscaper.Tlvs(request);

        Assert.Equal([G3ProxyTlvs.Upstream, G3ProxyTlvs.TlsName, G3ProxyTlvs.TaskId], tlvs.Select(t => t.Type));
        Assert.Equal("origin.example", Encoding.UTF8.GetString(tlvs[1].Value));
    }

    [Fact]
    public async Task RefusedPeer_FailsAsAConnectError_AndCounts()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var stats = new EscaperStats();
        using var escaper = Escaper(port, stats);

        var result = await escaper.EscapeAsync(new EscapeRequest(Notes(null), new UpstreamAddr("a.example", 80), EscapeWant.Tcp), CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal(EscapeErrorKind.ConnectRefused, result.Error);
        Assert.True(stats.TcpConnectError >= 1);
    }
}
