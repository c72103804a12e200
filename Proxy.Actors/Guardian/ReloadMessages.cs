using Proxy.Actors.Config;

namespace Proxy.Actors.Guardian;

/// <summary>Reload and status messages of the control plane (docs/control.md).</summary>
public static class ReloadMessages
{
    /// <summary>
    /// To the guardian: rebuild one object (<paramref name="Family"/> resolver, escaper or server, and
    /// <paramref name="Name"/>) or, with both null, every object, from an already loaded and validated
    /// config. Answered with <see cref="Reloaded"/> once the new handles are published and servers
    /// reconfigured; running connections keep what they started with.
    /// </summary>
    public sealed record Reload(ProxyConfig Config, string? Family = null, string? Name = null);

    /// <summary><paramref name="Errors"/> empty: everything asked for was rebuilt.</summary>
    public sealed record Reloaded(IReadOnlyList<string> Done, IReadOnlyList<string> Errors);
}

/// <summary>Messages a server actor answers for the control plane.</summary>
public static class ServerControl
{
    /// <summary>Swap the server's config; the listening socket is kept when <c>listen</c> did not change.</summary>
    public sealed record Reconfigure(Config.Servers.ServerConfig Config);
    public sealed record Reconfigured(string Name, string? Error);

    public sealed record GetStatus
    {
        public static readonly GetStatus Instance = new();
    }
    public sealed record Status(string Name, bool Online, IReadOnlyList<System.Net.IPEndPoint> Listening);
}
