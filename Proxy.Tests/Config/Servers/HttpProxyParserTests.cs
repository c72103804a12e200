using Proxy.Actors.Config;
using Proxy.Actors.Config.Servers;

namespace Proxy.Tests.Config.Servers;

/// <summary>http_proxy's local-request and info keys, read as g3 writes them.</summary>
public sealed class HttpProxyParserTests
{
    private static ServerConfig Load(string server)
    {
        using var dir = new TempConfigDir();
        var main = dir.Write("g3proxy.yaml", "resolver:\n  - name: r\n    type: c-ares\nescaper:\n  - name: d\n    type: direct_fixed\n    resolver: r\nserver:\n" + server);
        return Assert.Single(ConfigLoader.Load(main).Servers);
    }

    [Fact]
    public void LocalNames_ServerId_InfoKeys_AndUntrustedLimit_AreRead()
    {
        var c = Assert.IsType<HttpProxyServerConfig>(Load("""
              - name: http
                type: http_proxy
                escaper: d
                local_server_name: [proxy.local, 127.0.0.1]
                server_id: px-1
                http_forward_mark_upstream: true
                echo_chained_info: true
                untrusted_read_speed_limit: {shift_millis: 10, north: 4096}
            """));

        Assert.Equal(["proxy.local", "127.0.0.1"], c.LocalServerName);
        Assert.Equal("px-1", c.ServerId);
        Assert.True(c.HttpForwardMarkUpstream);
        Assert.True(c.EchoChainedInfo);
        Assert.Equal(4096, c.UntrustedReadSpeedLimit!.MaxNorth);
        Assert.Equal(10, c.UntrustedReadSpeedLimit.ShiftMillis);
    }

    [Fact]
    public void UntrustedReadLimit_OldName_IsAnAlias_OnBothHttpServers()
    {
        var proxy = Assert.IsType<HttpProxyServerConfig>(Load("  - {name: http, type: http_proxy, escaper: d, untrusted_read_limit: 8M}\n"));
        var gateway = Assert.IsType<HttpRProxyServerConfig>(Load("  - {name: gw, type: http_rproxy, escaper: d, untrusted_read_speed_limit: 8M, hosts: {upstream: 127.0.0.1}}\n"));

        Assert.NotNull(proxy.UntrustedReadSpeedLimit);
        Assert.False(proxy.UntrustedReadSpeedLimit.IsUnlimited);
        Assert.NotNull(gateway.UntrustedReadSpeedLimit);
        Assert.Null(Assert.IsType<HttpProxyServerConfig>(Load("  - {name: http, type: http_proxy, escaper: d}\n")).UntrustedReadSpeedLimit);
    }
}
