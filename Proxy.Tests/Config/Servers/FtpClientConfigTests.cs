using Proxy.Actors.Config;
using Proxy.Actors.Config.Servers;

namespace Proxy.Tests.Config.Servers;

public sealed class FtpClientConfigTests
{
    private static ProxyConfig Load(string server)
    {
        using var dir = new TempConfigDir();
        var main = dir.Write("g3proxy.yaml", "resolver:\n  - name: r\n    type: c-ares\nescaper:\n  - name: d\n    type: direct_fixed\n    resolver: r\nserver:\n  - name: h\n    type: http_proxy\n    escaper: d\n" + server);
        return ConfigLoader.Load(main);
    }

    [Fact]
    public void Defaults_AreG3s()
    {
        var c = Assert.IsType<HttpProxyServerConfig>(Assert.Single(Load("").Servers)).FtpClient;
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), true), (c.ConnectTimeout, c.GreetingTimeout, c.AlwaysTryEpsv));
        Assert.Equal((2048, 128, TimeSpan.FromSeconds(10)), (c.ControlMaxLineLength, c.ControlMaxMultiLines, c.CommandTimeout));
        Assert.Equal((TimeSpan.FromSeconds(2), 1024, 2048, TimeSpan.FromSeconds(120)), (c.EndWaitTimeout, c.ListMaxEntries, c.ListMaxLineLength, c.ListAllTimeout));
    }

    [Fact]
    public void EveryKey_AndAliases_ListAllTimeoutCappedAt300s()
    {
        var c = Assert.IsType<HttpProxyServerConfig>(Assert.Single(Load("""
                ftp_client:
                  connect_timeout: 5s
                  greeting_timeout: 3s
                  always_try_epsv: false
                  control: {max_line_length: 1KB, max_multi_lines: 16, command_timeout: 4s}
                  transfer: {list_max_line_len: 512, list_max_entries: 10, list_all_timeout: 1h, end_wait_timeout: 1s}
            """).Servers)).FtpClient;
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3), false), (c.ConnectTimeout, c.GreetingTimeout, c.AlwaysTryEpsv));
        Assert.Equal((1000, 16, TimeSpan.FromSeconds(4)), (c.ControlMaxLineLength, c.ControlMaxMultiLines, c.CommandTimeout));
        Assert.Equal((TimeSpan.FromSeconds(1), 10, 512, TimeSpan.FromSeconds(300)), (c.EndWaitTimeout, c.ListMaxEntries, c.ListMaxLineLength, c.ListAllTimeout));
    }

    [Fact]
    public void UnknownKey_IsRefusedNamingIt()
    {
        var e = Assert.Throws<ConfigException>(() => Load("    ftp_client: {control: {max_lines: 3}}\n"));
        Assert.Contains("unknown key 'max_lines'", e.Message);
    }
}
