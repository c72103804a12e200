using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Logging;

namespace Proxy.Tests.Escapers;

/// <summary>Task contexts for escaper requests made by tests.</summary>
internal static class TestTasks
{
    public static TaskNotes Notes() => new() { ServerType = "HttpProxy", ServerName = "test", StartAt = DateTimeOffset.UtcNow };

    public static EscapeRequest Tcp(string host, int port) => new(Notes(), new UpstreamAddr(host, port), EscapeWant.Tcp);
}
