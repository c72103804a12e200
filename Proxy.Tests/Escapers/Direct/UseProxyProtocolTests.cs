using System.Net;
using System.Net.Sockets;
using System.Text;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Handles;
using Proxy.Actors.Logging;
using Proxy.Actors.Resolvers;

namespace Proxy.Tests.Escapers.Direct;

public sealed class UseProxyProtocolTests
{
    [Fact]
    public async Task DirectFixed_UseProxyProtocol1_TheTargetReadsTheClientFirst()
    {
        using var target = new TcpListener(IPAddress.Loopback, 0);
        target.Start();
        var port = ((IPEndPoint)target.LocalEndpoint).Port;
        using var escaper = new DirectFixedEscaper(new DirectFixedEscaperConfig
        {
            Name = "direct",
            Position = new ConfigPosition("escaper.yml", 1),
            Resolver = "r",
            EgressNetworkFilter = new NetworkAclRule([], AclAction.Permit),
            UseProxyProtocol = 1,
        }, new HandleRegistry<IResolver>(name => new DenyAllResolver(name)));
        var notes = new TaskNotes
        {
            ServerType = "HttpProxy",
            ServerName = "t",
            StartAt = DateTimeOffset.UtcNow,
            ClientAddr = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 51000),
            ServerAddr = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 8080),
        };

        var result = await escaper.EscapeAsync(new EscapeRequest(notes, new UpstreamAddr("127.0.0.1", port), EscapeWant.Tcp), CancellationToken.None);
        using var accepted = await target.AcceptSocketAsync();
        await result.Stream!.WriteAsync("hello"u8.ToArray());
        var buf = new byte[256];
        var seen = new StringBuilder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!seen.ToString().EndsWith("hello", StringComparison.Ordinal))
        {
            var n = await accepted.ReceiveAsync(buf, SocketFlags.None, cts.Token);
            if (n == 0) break;
            seen.Append(Encoding.ASCII.GetString(buf, 0, n));
        }

        Assert.True(result.Ok, result.Reason);
        Assert.Equal("PROXY TCP4 198.51.100.7 192.0.2.1 51000 8080\r\nhello", seen.ToString());
        await result.DisposeUpstreamAsync();
    }
}
