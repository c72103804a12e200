using System.Net;
using Proxy.Actors.Logging;

namespace Proxy.Tests.Logging;

public sealed class TaskLogFormatterTests
{
    private static TaskNotes Notes() => new()
    {
        ServerType = "HttpProxy",
        ServerName = "http",
        StartAt = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero),
        ClientAddr = IPEndPoint.Parse("192.0.2.7:4242"),
    };

    [Fact]
    public void Line_CarriesG3FieldNames_AndQuotesValuesWithSpaces()
    {
        var n = Notes();
        n.Reason = "InternalServerError";
        n.Error = "InvalidOperationException: \"bad\" state";
        n.Bytes.ClientRead = 12;

        var line = TaskLogFormatter.Format(n, TimeSpan.FromMilliseconds(1.5), "g3actors");

        Assert.StartsWith("daemon_name=g3actors log_type=Task ", line);
        Assert.Contains(" server_type=HttpProxy server_name=http ", line);
        Assert.Contains("client_addr=192.0.2.7:4242", line);
        Assert.Contains("reason=InternalServerError", line);
        Assert.Contains("error=\"InvalidOperationException: \\\"bad\\\" state\"", line);
        Assert.Contains("total_time=1.5ms", line);
        Assert.Contains("c_rd_bytes=12", line);
        Assert.Contains("start_at=2026-12-01T10:00:00.000000+00:00", line);
    }

    [Theory]
    [InlineData(0.5, "500µs")]
    [InlineData(16.918, "16.918ms")]
    [InlineData(2500, "2.5s")]
    public void Durations_AreHumanized_AsG3PrintsThem(double ms, string expected) =>
        Assert.Equal(expected, TaskLogFormatter.Duration(TimeSpan.FromMilliseconds(ms)));
}
