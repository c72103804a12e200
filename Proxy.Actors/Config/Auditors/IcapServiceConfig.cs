using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Auditors;

public enum IcapMethod { Reqmod, Respmod }

/// <summary>g3's connection pool config (lib/g3-types ConnectionPoolConfig).</summary>
public sealed record ConnectionPoolConfig
{
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(10);
    public int MaxIdleCount { get; init; } = 1024;
    public int MinIdleCount { get; init; } = 32;
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(300);
}

/// <summary>g3's icap service config (lib/g3-icap-client IcapServiceConfig).</summary>
public sealed record IcapServiceConfig
{
    public required IcapMethod Method { get; init; }
    /// <summary>The service URL without user info (g3 moves it into an Authorization header).</summary>
    public required Uri Url { get; init; }
    public string? BasicAuth { get; init; }
    /// <summary>Null: plain TCP. <c>icaps://</c> turns it on with defaults, as does a <c>tls_client</c> key.</summary>
    public TlsClientConfig? TlsClient { get; init; }
    public string TlsName { get; init; } = "";
    public TcpKeepaliveConfig? TcpKeepalive { get; init; } = TcpKeepaliveConfig.Default;
    public string? UseUnixSocket { get; init; }
    public ConnectionPoolConfig ConnectionPool { get; init; } = new();
    public int IcapMaxHeaderSize { get; init; } = 8192;
    public bool NoPreview { get; init; }
    public TimeSpan PreviewDataReadTimeout { get; init; } = TimeSpan.FromSeconds(4);
    public IReadOnlySet<string> RespondSharedNames { get; init; } = new HashSet<string>();
    /// <summary>False (g3's default): fail closed when the ICAP server cannot be reached.</summary>
    public bool Bypass { get; init; }
    public string Host => Url.Host;
    public int Port => Url.IsDefaultPort || Url.Port < 0 ? 1344 : Url.Port;
}
