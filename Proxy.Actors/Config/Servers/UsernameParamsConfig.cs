namespace Proxy.Actors.Config.Servers;

/// <summary>
/// g3's <c>username_params</c> (reference section 4.8) on http_proxy and socks_proxy: a username
/// <c>base+key=value+...</c> names the next proxy (<c>host[domain_suffix]:port</c>, the port by the
/// inbound protocol), which overrides the chaining escaper's proxy_addr for that task.
/// </summary>
public sealed record UsernameParamsConfig
{
    /// <summary>The keys whose values, in this order, joined with <see cref="Separator"/>, make the host.</summary>
    public IReadOnlyList<string> KeysForHost { get; init; } = [];
    /// <summary>A key whose value picks among the resolved addresses of the derived host (known even if not in <see cref="KeysForHost"/>).</summary>
    public string ResolveStickyKey { get; init; } = "";
    public bool RequireHierarchy { get; init; } = true;
    /// <summary>Keys of <see cref="KeysForHost"/> that may appear without the keys before them.</summary>
    public IReadOnlyList<string> FloatingKeys { get; init; } = [];
    public bool RejectUnknownKeys { get; init; } = true;
    public bool RejectDuplicateKeys { get; init; } = true;
    public string Separator { get; init; } = "-";
    /// <summary>Appended to the host; stored with its leading '.'.</summary>
    public string DomainSuffix { get; init; } = "";
    public int HttpPort { get; init; } = 10000;
    /// <summary>10001 as g3's code has it (its docs say 10000).</summary>
    public int Socks5Port { get; init; } = 10001;
    public bool StripSuffixForAuth { get; init; } = true;

    public bool IsKnownKey(string key) =>
        KeysForHost.Contains(key, StringComparer.Ordinal) || (ResolveStickyKey.Length > 0 && key == ResolveStickyKey);
}
