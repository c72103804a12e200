using System.Net;

namespace Proxy.Actors.Config.Values;

/// <summary>A target as a client names it: a domain or an IP, and a port.</summary>
public sealed record UpstreamAddr(string Host, int Port)
{
    /// <summary>The host as an IP when it is one (brackets stripped), else null.</summary>
    public IPAddress? Ip => IPAddress.TryParse(Host.Trim('[', ']'), out var ip) ? ip : null;

    public override string ToString() =>
        Host.Contains(':') && !Host.StartsWith('[') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
