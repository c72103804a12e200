using Proxy.Actors.Escapers;

namespace Proxy.Actors.Servers.Common;

/// <summary>
/// How every server asks its escaper for an upstream: the escaper's handle by name, the task's
/// notes filled with what it reports, and an escape log line with the reason when there is none.
/// </summary>
public static class ServerEscape
{
    public static async ValueTask<EscapeResult> EscapeAsync(ServerContext server, EscapeRequest request, CancellationToken ct)
    {
        var escaper = server.Escapers.Get(server.Config.Escaper);
        var notes = request.Task;
        notes.Escaper = escaper.Name;
        var result = await escaper.EscapeAsync(WithTaskUser(request), ct).ConfigureAwait(false);
        notes.RecordEscape(result);
        if (!result.Ok)
        {
            notes.Reason = TaskReason(result.Error);
            server.Logger.LogEscape(escaper.TypeName, escaper.Name, EscapeType(request, result), notes, result.Reason ?? result.Error.ToString());
        }
        return result;
    }

    /// <summary>
    /// An idle pooled HTTP forward connection, when the server's escaper lends one without an escape
    /// (<see cref="IHttpForwardPool"/>); the task's notes record it as <see cref="EscapeAsync"/> would.
    /// </summary>
    public static EscapeResult? TryTakePooled(ServerContext server, EscapeRequest request)
    {
        if (server.Escapers.Get(server.Config.Escaper) is not IHttpForwardPool pool) return null;
        var notes = request.Task;
        if (pool.TryTakePooled(WithTaskUser(request)) is not { } result) return null;
        notes.Escaper = ((IEscaper)pool).Name;
        notes.RecordEscape(result);
        return result;
    }

    /// <summary>The request with its task's user overrides (a next-hop dial an escaper makes itself does not carry them).</summary>
    private static EscapeRequest WithTaskUser(EscapeRequest request) =>
        request.Task.UserEscape is { } user && request.UserEscape is null ? request with { UserEscape = user } : request;

    /// <summary>g3's task-log reason words for an escape failure.</summary>
    public static string TaskReason(EscapeErrorKind kind) => kind switch
    {
        EscapeErrorKind.EscaperNotUsable => "EscaperNotUsable",
        EscapeErrorKind.ForbiddenByRule => "ForbiddenByRule",
        EscapeErrorKind.ResolveFailed => "UpstreamNotResolved",
        EscapeErrorKind.TlsHandshakeFailed => "UpstreamTlsHandshakeFailed",
        EscapeErrorKind.NotSupported => "UnimplementedProtocol",
        _ => "UpstreamNotConnected",
    };

    private static string EscapeType(EscapeRequest request, EscapeResult result) =>
        result.Error == EscapeErrorKind.TlsHandshakeFailed ? "TlsHandshake"
        : request.Want == EscapeWant.Udp ? "UdpConnect"
        : "TcpConnect";
}
