using Proxy.Tests.Control;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// The old process's side of a hot upgrade, in process: release-controller frees the shared control
/// endpoint; without a confirmation the node takes it back (cancel-shutdown at once, or after the
/// confirm wait, as when the new process died) and serves on.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class ControlUpgradeTests
{
    private static string Yaml => ProxyUnderTest.HttpProxyYaml() + "\nruntime:\n  server_offline_delay: 200ms\n";

    [Fact]
    public async Task ReleaseController_FreesTheEndpoint_CancelShutdown_TakesItBack()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml);
        var control = proxy.Node.ControlEndpoint;
        Assert.Contains("controller: " + control, (await PbmRun.RunAsync(control, "process")).Lines);

        var release = await PbmRun.RunAsync(control, "release-controller");
        Assert.Equal(0, release.Code);
        Assert.StartsWith($"notice: control endpoint {control} released", release.Out);
        Assert.Equal(3, (await PbmRun.RunAsync(control, "version")).Code); // nobody listens there now
        var info = await proxy.Node.ControlAsync(["process"]);
        Assert.Contains("controller: released", info);
        Assert.Contains("state: released", info);

        Assert.Contains("upgrade abandoned", await proxy.Node.ControlAsync(["cancel-shutdown"]));
        var back = await PbmRun.RunAsync(control, "process");
        Assert.Contains("state: idle", back.Lines);
        Assert.Equal("online: true", (await PbmRun.RunAsync(control, "server", "http", "status")).Lines[0]);
        Assert.False(proxy.Node.ExitRequested.IsCompleted);
    }

    [Fact]
    public async Task ReleaseController_WithoutConfirmation_TakesTheEndpointBack_AndKeepsServing()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml);
        var control = proxy.Node.ControlEndpoint;

        Assert.Equal(0, (await PbmRun.RunAsync(control, "release-controller")).Code);
        Assert.Equal(3, (await PbmRun.RunAsync(control, "version")).Code);

        // No new process confirms: after the confirm wait (10 s at least) the endpoint is back.
        Assert.True(await Eventually.True(async () => (await PbmRun.RunAsync(control, "version")).Code == 0, TimeSpan.FromSeconds(40)),
            "the control endpoint was not taken back");
        Assert.Contains("state: idle", (await PbmRun.RunAsync(control, "process")).Lines);
        using var client = proxy.Client();
        await using var origin = await TestOrigin.StartAsync();
        Assert.Equal("hello", await client.GetStringAsync($"http://127.0.0.1:{origin.HttpPort}/hello"));
        Assert.False(proxy.Node.ExitRequested.IsCompleted);
    }

    [Fact]
    public async Task Offline_AfterRelease_ConfirmsTheUpgrade_AndTheNodeDrainsAndExits()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml);
        var control = proxy.Node.ControlEndpoint;
        Assert.Equal(0, (await PbmRun.RunAsync(control, "release-controller")).Code);

        Assert.Contains("notice: upgrade confirmed, going offline", await proxy.Node.ControlAsync(["offline"]));
        await proxy.Node.ExitRequested.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, (await PbmRun.RunAsync(control, "version")).Code); // not taken back
    }
}
