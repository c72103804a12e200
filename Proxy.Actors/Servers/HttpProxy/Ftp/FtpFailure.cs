namespace Proxy.Actors.Servers.HttpProxy.Ftp;

/// <summary>
/// Why an FTP step failed, as g3's ftp client errors fold into HTTP statuses
/// (module/http_forward/response/client.rs and serve/http_proxy/task/ftp/task.rs).
/// </summary>
internal enum FtpFailure
{
    None,
    /// <summary>No control connection: the escaper's own error decides the status.</summary>
    ConnectFailed,
    /// <summary>connect_timeout or greeting_timeout passed: 504.</summary>
    ConnectTimedOut,
    /// <summary>A 421 reply: 503.</summary>
    ServiceNotAvailable,
    /// <summary>530 / 332 at login: 401 with the ftp:// realm.</summary>
    NotLoggedIn,
    /// <summary>550 / 450 on the path: 404.</summary>
    FileUnavailable,
    /// <summary>Any other reply, a timeout waiting for one, a lost connection: 502.</summary>
    BadGateway,
}

/// <summary>The outcome of one FTP step: done, or a failure with what to log.</summary>
internal readonly record struct FtpStep(FtpFailure Failure, string? Detail = null)
{
    public static readonly FtpStep Ok = new(FtpFailure.None);
    public bool Succeeded => Failure == FtpFailure.None;

    public static FtpStep Fail(FtpFailure failure, string detail) => new(failure, detail);

    /// <summary>g3's status for the failure (<paramref name="escapeStatus"/> for a connect failure).</summary>
    public int Status(int escapeStatus) => Failure switch
    {
        FtpFailure.ConnectFailed => escapeStatus,
        FtpFailure.ConnectTimedOut => 504,
        FtpFailure.ServiceNotAvailable => 503,
        FtpFailure.NotLoggedIn => 401,
        FtpFailure.FileUnavailable => 404,
        _ => 502,
    };
}
