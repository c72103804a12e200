using Proxy.Actors.Config;
using Proxy.Actors.Config.Servers;

namespace Proxy.Tests.Config.Servers;

/// <summary>The task log keys g3's proxying and stream servers share, read as g3 writes them.</summary>
public sealed class TaskLogKeysParserTests
{
    private static ServerConfig Load(string server)
    {
        using var dir = new TempConfigDir();
        var main = dir.Write("g3proxy.yaml", "resolver:\n  - name: r\n    type: c-ares\nescaper:\n  - name: d\n    type: direct_fixed\n    resolver: r\nserver:\n" + server);
        return Assert.Single(ConfigLoader.Load(main).Servers);
    }

    [Theory]
    [InlineData("type: http_proxy")]
    [InlineData("type: socks_proxy")]
    [InlineData("type: tcp_stream, proxy_pass: 127.0.0.1:80")]
    public void FlushKeys_AreRead_OnEveryServerTypeThatHasThem(string type)
    {
        var c = Load($"  - {{name: s, escaper: d, {type}, flush_task_log_on_created: true, flush_task_log_on_connected: true, task_log_flush_interval: 30s}}\n");

        Assert.True(c.FlushTaskLogOnCreated);
        Assert.True(c.FlushTaskLogOnConnected);
        Assert.Equal(TimeSpan.FromSeconds(30), c.TaskLogFlushInterval);
    }

    [Fact]
    public void FlushKeys_AreOffByDefault_AndAZeroIntervalMeansNoPeriodicRecords()
    {
        var unset = Load("  - {name: s, type: http_proxy, escaper: d}\n");
        var zero = Load("  - {name: s, type: http_proxy, escaper: d, task_log_flush_interval: 0}\n");

        Assert.False(unset.FlushTaskLogOnCreated);
        Assert.False(unset.FlushTaskLogOnConnected);
        Assert.Null(unset.TaskLogFlushInterval);
        Assert.Null(zero.TaskLogFlushInterval);
    }
}
