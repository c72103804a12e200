using System.Text;
using Proxy.Actors.Stats;

namespace Proxy.Tests.Stats;

public sealed class StatsdBatchTests
{
    private static (StatsdBatch, List<string>) Batch(int segment = 1400, string prefix = "g3proxy")
    {
        var sent = new List<string>();
        var batch = new StatsdBatch(prefix, [new("daemon_group", "edge")], segment, 256 * 1024,
            d => sent.Add(Encoding.UTF8.GetString(d.Span)));
        return (batch, sent);
    }

    [Fact]
    public void Lines_AreG3Format_ClientThenObjectThenLineTags()
    {
        var (batch, sent) = Batch();
        var tags = StatsdBatch.Tags.Of(new("server", "http"), new("online", "y"));
        batch.Count("server.task.total", 3, tags);
        batch.Gauge("server.task.alive", 1, tags);
        batch.Count("server.traffic.in.bytes", 10, tags, "transport", "tcp");
        batch.Flush();
        Assert.Equal(
            "g3proxy.server.task.total:3|c|#daemon_group:edge,server:http,online:y\n" +
            "g3proxy.server.task.alive:1|g|#daemon_group:edge,server:http,online:y\n" +
            "g3proxy.server.traffic.in.bytes:10|c|#daemon_group:edge,server:http,online:y,transport:tcp\n",
            Assert.Single(sent));
    }

    [Fact]
    public void EmptyPrefix_LeavesNameBare()
    {
        var (batch, sent) = Batch(prefix: "");
        batch.Count("x", 1, default);
        batch.Flush();
        Assert.Equal("x:1|c|#daemon_group:edge\n", Assert.Single(sent));
    }

    [Fact]
    public void Datagrams_StayUnderSegmentSize_AndNeverSplitALine()
    {
        var (batch, sent) = Batch(segment: 100);
        for (var i = 0; i < 20; i++) batch.Count("escaper.task.total", i, StatsdBatch.Tags.Of(new KeyValuePair<string, string>("escaper", "e" + i)));
        batch.Flush();
        Assert.True(sent.Count > 1);
        Assert.All(sent, d => Assert.True(Encoding.UTF8.GetByteCount(d) <= 100));
        var lines = sent.SelectMany(d => d.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(20, lines.Count);
        Assert.All(lines, l => Assert.Matches(@"^g3proxy\.escaper\.task\.total:\d+\|c\|#daemon_group:edge,escaper:e\d+$", l));
    }
}
