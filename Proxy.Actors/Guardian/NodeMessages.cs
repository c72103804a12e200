using System.Net;

namespace Proxy.Actors.Guardian;

/// <summary>Messages of the node's control plane (a handful per object, never per byte).</summary>
public static class NodeMessages
{
    public sealed record ServerBound(string Name, IReadOnlyList<IPEndPoint> Endpoints);
    public sealed record ServerFailed(string Name, string Error);

    /// <summary>Ask the guardian; answered with <see cref="Started"/> once every server listens, or <see cref="StartFailed"/>.</summary>
    public sealed record WaitStarted
    {
        public static readonly WaitStarted Instance = new();
    }
    public sealed record Started(IReadOnlyDictionary<string, IReadOnlyList<IPEndPoint>> Listening);
    public sealed record StartFailed(string Error);

    /// <summary>Stop accepting everywhere; answered with <see cref="Drained"/> when connections are done or the limit passed.</summary>
    public sealed record Drain(TimeSpan WaitLimit);
    public sealed record Drained(int Remaining);

    /// <summary>To a server: close the listeners, keep running connections.</summary>
    public sealed record StopAccepting
    {
        public static readonly StopAccepting Instance = new();
    }
    /// <summary>To a server (g3's force-quit): end its running connections now.</summary>
    public sealed record ForceQuit
    {
        public static readonly ForceQuit Instance = new();
    }
    /// <summary>From a server to whoever asked it to stop accepting: how many connections are left.</summary>
    public sealed record ServerIdle(string Name);
}
