namespace Proxy.Actors.Config.Values;

/// <summary>g3's <c>tcp_connect</c>: max_retry 2 means 3 tries, each bounded by each_timeout.</summary>
public sealed record TcpConnectConfig(int MaxRetry = 2, TimeSpan? EachTimeoutOrDefault = null)
{
    public TimeSpan EachTimeout => EachTimeoutOrDefault ?? TimeSpan.FromSeconds(30);
    public static readonly TcpConnectConfig Default = new();

    /// <summary>g3's limit_to: a user's tcp_connect within the escaper's (fewer tries, shorter timeout win).</summary>
    public TcpConnectConfig LimitTo(TcpConnectConfig escaper) =>
        new(Math.Min(MaxRetry, escaper.MaxRetry), EachTimeout < escaper.EachTimeout ? EachTimeout : escaper.EachTimeout);
}
