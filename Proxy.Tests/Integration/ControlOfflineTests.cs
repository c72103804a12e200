using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Proxy.Tests.Control;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>g3's graceful offline through pbm: delay, stop accepting, let running tasks finish, exit.</summary>
[Collection(NodeCollection.Name)]
public sealed class ControlOfflineTests
{
    private static string Yaml(string delay) => ProxyUnderTest.HttpProxyYaml() + $"""

        runtime:
          server_offline_delay: {delay}
          task_wait_timeout: 30s
          task_quit_timeout: 5s
        """;

    [Fact]
    public async Task Offline_DuringAThrottledDownload_FinishesItIntact_RefusesNewConnections_ThenExits()
    {
        var body = TestOrigin.Pattern(2 * 1024 * 1024);
        await using var origin = new ThrottledOrigin(body, TimeSpan.FromMilliseconds(40)); // 64 slices: ~2.6 s
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml("300ms"));
        using var client = proxy.Client();

        using var response = await client.GetAsync($"http://127.0.0.1:{origin.Port}/big", HttpCompletionOption.ResponseHeadersRead);
        var download = ReadAllAsync(await response.Content.ReadAsStreamAsync());

        var offline = await PbmRun.RunAsync(proxy.Node.ControlEndpoint, "offline");
        Assert.Equal(0, offline.Code);
        Assert.StartsWith("notice: going offline", offline.Out);
        var again = await PbmRun.RunAsync(proxy.Node.ControlEndpoint, "offline");
        Assert.Equal((1, "error: already going offline"), (again.Code, again.Err.Trim()));

        Assert.True(await Eventually.True(() => !Accepts(proxy.Endpoint()), TimeSpan.FromSeconds(10)), "still accepting after server_offline_delay");
        Assert.False(download.IsCompleted, "the download should still be running when the listener closed");
        var late = await PbmRun.RunAsync(proxy.Node.ControlEndpoint, "cancel-shutdown");
        Assert.Equal(1, late.Code);
        Assert.Contains("too late", late.Err);

        var received = await download.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(body)), Convert.ToHexString(SHA256.HashData(received)));
        // The client's idle keep-alive connection counts as running until it closes (see docs/control.md).
        response.Dispose();
        client.Dispose();
        await proxy.Node.ExitRequested.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task CancelShutdown_WhileWaiting_KeepsTheNodeServing()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml("1s"));
        var control = proxy.Node.ControlEndpoint;

        var idle = await PbmRun.RunAsync(control, "cancel-shutdown");
        Assert.Equal("notice: no shutdown in progress", idle.Out.Trim());
        Assert.Equal(0, (await PbmRun.RunAsync(control, "offline")).Code);
        var cancel = await PbmRun.RunAsync(control, "cancel-shutdown");
        Assert.Equal((0, "notice: shutdown cancelled"), (cancel.Code, cancel.Out.Trim()));

        // Past the delay the listener is still open and the node is not leaving.
        await Task.WhenAny(proxy.Node.ExitRequested, Task.Delay(TimeSpan.FromSeconds(2)));
        Assert.False(proxy.Node.ExitRequested.IsCompleted);
        Assert.True(Accepts(proxy.Endpoint()));
        Assert.Equal("online: true", (await PbmRun.RunAsync(control, "server", "http", "status")).Lines[0]);
    }

    private static bool Accepts(IPEndPoint endpoint)
    {
        using var probe = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Connect(endpoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
