namespace Proxy.Actors.Stats;

/// <summary>g3's <c>request</c> tag values of the user metrics (MetricUserRequestType), in g3's emit order.</summary>
public enum UserRequestType
{
    TcpConnect,
    HttpForward,
    HttpsForward,
    HttpConnect,
    FtpOverHttp,
    SocksTcpConnect,
    SocksUdpConnect,
    SocksUdpAssociate,
}

/// <summary>g3's <c>connection</c> tag values of user.connection.total.</summary>
public enum UserConnectionType { Http, Socks }

/// <summary>g3's user.forbidden.* reasons, in g3's emit order.</summary>
public enum UserForbidden
{
    AuthFailed,
    UserExpired,
    UserBlocked,
    FullyLoaded,
    RateLimited,
    ProtoBanned,
    SrcBlocked,
    DestDenied,
    IpBlocked,
    UaBlocked,
    LogSkipped,
}

internal static class UserMetricNames
{
    public const int RequestTypes = 8;

    private static readonly string[] RequestTags =
        ["tcp_connect", "http_forward", "https_forward", "http_connect", "ftp_over_http", "socks_tcp_connect", "socks_udp_connect", "socks_udp_associate"];

    private static readonly string[] ForbiddenNames =
    [
        "user.forbidden.auth_failed", "user.forbidden.user_expired", "user.forbidden.user_blocked", "user.forbidden.fully_loaded",
        "user.forbidden.rate_limited", "user.forbidden.proto_banned", "user.forbidden.src_blocked", "user.forbidden.dest_denied",
        "user.forbidden.ip_blocked", "user.forbidden.ua_blocked", "user.forbidden.log_skipped",
    ];

    public static string Tag(this UserRequestType type) => RequestTags[(int)type];

    public static string Tag(this UserConnectionType type) => type == UserConnectionType.Http ? "http" : "socks";

    public static string Metric(this UserForbidden reason) => ForbiddenNames[(int)reason];

    /// <summary>Datagram requests count packets too, and their upstream bytes go under transport udp.</summary>
    public static bool IsUdp(this UserRequestType type) => type is UserRequestType.SocksUdpConnect or UserRequestType.SocksUdpAssociate;

    public static UserConnectionType Connection(this UserRequestType type) =>
        type is UserRequestType.SocksTcpConnect or UserRequestType.SocksUdpConnect or UserRequestType.SocksUdpAssociate
            ? UserConnectionType.Socks : UserConnectionType.Http;
}
