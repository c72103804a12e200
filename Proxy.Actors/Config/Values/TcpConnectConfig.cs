namespace Proxy.Actors.Config.Values;

/// <summary>g3's <c>tcp_connect</c>: max_retry 2 means 3 tries, each bounded by each_timeout.</summary>
public sealed record TcpConnectConfig(int MaxRetry = 2, TimeSpan? EachTimeoutOrDefault = null)
{
    public TimeSpan EachTimeout => EachTimeoutOrDefault ?? TimeSpan.FromSeconds(30);
    public static readonly TcpConnectConfig Default = new();
}
