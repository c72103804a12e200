namespace Proxy.Actors.Config.Values;

/// <summary>G3Actors-only <c>cluster:</c> section. CLI flags override each field.</summary>
public sealed record ClusterConfig
{
    public string? Region { get; init; }
    public IReadOnlyList<string> Roles { get; init; } = [];
    public IReadOnlyList<string> Seeds { get; init; } = [];
    public string Hostname { get; init; } = "127.0.0.1";
    public int Port { get; init; }
    public IReadOnlyList<string> AdvertisedRelays { get; init; } = [];

    /// <summary>The relay server this node offers to other regions, registered in its region's directory.</summary>
    public RelayAdvertConfig? Relay { get; init; }
}

/// <summary>
/// <c>cluster.relay</c>: the server name (a local server that accepts relayed traffic), the address
/// other regions dial (host:port) and the TLS name they verify. Without an address the server's
/// first listen address is advertised.
/// </summary>
public sealed record RelayAdvertConfig
{
    public string Server { get; init; } = "";
    public string? Address { get; init; }
    public string? TlsName { get; init; }
}
