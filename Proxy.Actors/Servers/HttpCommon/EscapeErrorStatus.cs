using Proxy.Actors.Escapers;

namespace Proxy.Actors.Servers.HttpCommon;

/// <summary>The status g3 answers for each way an upstream could not be had (reference section 1.3).</summary>
internal static class EscapeErrorStatus
{
    public static int For(EscapeErrorKind kind) => kind switch
    {
        EscapeErrorKind.EscaperNotUsable => 503,
        EscapeErrorKind.ForbiddenByRule => 403,
        EscapeErrorKind.ResolveFailed => 530,
        EscapeErrorKind.ConnectRefused => 521,
        EscapeErrorKind.ConnectTimeout => 522,
        EscapeErrorKind.NetworkUnreachable => 523,
        EscapeErrorKind.TlsHandshakeFailed => 525,
        EscapeErrorKind.NotSupported => 501,
        _ => 502,
    };

    /// <summary>g3 always closes after these, whatever the request: the escaper itself is unusable.</summary>
    public static bool AlwaysClose(EscapeErrorKind kind) => kind is EscapeErrorKind.EscaperNotUsable or EscapeErrorKind.ForbiddenByRule;
}
