using System.Net;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Values;

namespace Proxy.Tests.Config;

public sealed class LogSectionTests
{
    private static LogConfig Log(string yaml)
    {
        var dir = Path.Combine(Path.GetTempPath(), "g3a-log-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var main = Path.Combine(dir, "g3proxy.yaml");
            File.WriteAllText(main, yaml);
            return ConfigLoader.Load(main).Log;
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void SyslogShorthand_IsTheDefault_WithG3Aliases()
    {
        var log = Log("log:\n  syslog:\n    target:\n      udp: {addr: 10.0.0.2:5140, bind: 10.0.0.1}\n    format_rfc5424: APP01\n    use_cls: true\n    cee_cookie: '@x:'\n  escape: stdout\n");
        Assert.Equal(LogDriver.Syslog, log.Task.Driver);
        Assert.Equal(LogDriver.Stdout, log.Escape.Driver);
        var s = log.Resolve.Syslog!;
        Assert.Equal(IPEndPoint.Parse("10.0.0.2:5140"), s.TargetUdp);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), s.TargetUdpBindIp);
        Assert.True(s.Rfc5424);
        Assert.Equal("APP01", s.MessageId);
        Assert.True(s.UseCeeLogSyntax);
        Assert.Equal("@x:", s.CeeEventFlag);
        Assert.Equal(3, s.Facility);
    }

    [Fact]
    public void PerTypeDrivers_FluentdAndJournal_WithChannelSize()
    {
        var log = Log("log:\n  task:\n    fluentd: {address: 127.0.0.1:9000, shared_key: k, write_timeout: 2s, retry_queue_len: 3}\n    async_channel_size: 100\n  resolve:\n    journal: {}\n");
        Assert.Equal(LogDriver.Fluentd, log.Task.Driver);
        Assert.Equal(100, log.Task.ChannelSize);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9000"), log.Task.Fluentd!.Address);
        Assert.Equal("k", log.Task.Fluentd.SharedKey);
        Assert.Equal(TimeSpan.FromSeconds(2), log.Task.Fluentd.WriteTimeout);
        Assert.Equal(3, log.Task.Fluentd.RetryQueueLen);
        Assert.Equal(LogDriver.Journal, log.Resolve.Driver);
        Assert.Equal(LogDriver.Discard, log.Escape.Driver);
    }

    [Theory]
    [InlineData("log:\n  task:\n    syslog: {target_udp: {bind_ip: 10.0.0.1}}\n", "no target address")]
    [InlineData("log:\n  task:\n    syslog: {target_unix: relative/log}\n", "not an absolute path")]
    [InlineData("log:\n  task: {syslog: {}, fluentd: {}}\n", "more than one log driver")]
    [InlineData("log:\n  task:\n    journal: {x: 1}\n", "journal takes no keys")]
    [InlineData("log: loki\n", "unknown log driver 'loki'")]
    public void BadLogConfig_IsRefusedWithTheReason(string yaml, string reason)
    {
        var e = Assert.Throws<ConfigException>(() => Log(yaml));
        Assert.Contains(reason, e.Message);
    }
}
