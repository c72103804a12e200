namespace Proxy.Actors.Config.Escapers;

/// <summary>
/// g3's <c>divert_tcp</c>: every stream goes to a next proxy that is told the real target (and the
/// client, the user, the task id) in a PROXY v2 header with g3's TLVs. Reaching that proxy takes the
/// same keys as proxy_http's, so they are held in <see cref="NextHop"/> (no auth, no HTTP keys).
/// </summary>
public sealed record DivertTcpEscaperConfig : EscaperConfig
{
    public override string TypeName => "DivertTcp";
    public required ProxyHttpEscaperConfig NextHop { get; init; }
}
