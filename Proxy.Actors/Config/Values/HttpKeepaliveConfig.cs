namespace Proxy.Actors.Config.Values;

/// <summary>g3's http keep-alive config (user http_upstream_keepalive): on/off and how long an idle upstream is kept.</summary>
public sealed record HttpKeepaliveConfig(bool Enable = true, TimeSpan? IdleExpireOrDefault = null)
{
    public TimeSpan IdleExpire => IdleExpireOrDefault ?? TimeSpan.FromSeconds(60);
    public static readonly HttpKeepaliveConfig Default = new();
}
