using Proxy.Actors.Audit;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Logging;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Users;
using Proxy.Actors.Users.Limits;

namespace Proxy.Actors.Servers.Streams;

/// <summary>
/// What the stream servers (tcp_stream, tls_stream, sni_proxy, tcp_tproxy) share once they know
/// the target: an upstream through the escaper (TLS to it when asked), then the one relay (inspected when
/// the server's auditor says so, <see cref="AuditedTunnel"/>), and
/// the task line with g3's reason. A server decides the target; this moves the bytes.
/// </summary>
internal static class StreamTunnel
{
    /// <summary>The upstream and what to ask the escaper for it; the task's user (facts auth) when the server has one.</summary>
    public sealed record Target(UpstreamAddr Upstream, TlsClientConfig? Tls = null, string? TlsName = null)
    {
        public User? User { get; init; }
    }

    public static TaskNotes NewTask(ClientTransport transport, ConnectionScope scope) =>
        scope.NewTask(transport.Facts, "TcpConnect", scope.AcceptedAt);

    /// <summary>Connects and relays until the tunnel ends; the task line is written here whatever the end.</summary>
    public static async Task RunAsync(ClientTransport transport, ConnectionScope scope, TaskNotes notes, Target target)
    {
        var server = scope.Server;
        notes.Upstream = target.Upstream.ToString();
        server.Stats.TaskStarted(notes);
        try
        {
            await RunTaskAsync(transport, scope, notes, target).ConfigureAwait(false);
        }
        finally
        {
            server.Stats.TaskFinished(notes);
            scope.FinishTask(notes);
        }
    }

    private static async Task RunTaskAsync(ClientTransport transport, ConnectionScope scope, TaskNotes notes, Target target)
    {
        var server = scope.Server;
        if (!UserAdmits(target, notes, server.Stats, out var alive)) return;
        using var held = alive;
        notes.Stage = "Connecting";
        ClientSocketOptions.ApplyUser(transport, server.Config.TcpMiscOpts, target.User);
        var request = new EscapeRequest(notes, target.Upstream, target.Tls is null ? EscapeWant.Tcp : EscapeWant.Tls)
        {
            Tls = target.Tls,
            TlsName = target.TlsName,
        }.ForUser(target.User);
        var upstream = await ServerEscape.EscapeAsync(server, request, scope.Token).ConfigureAwait(false);
        if (!upstream.Ok)
        {
            notes.Stage = "Connecting";
            return;
        }
        try
        {
            notes.Stage = "Relaying";
            if (target.User is { } user) UserTaskPolicy.Watch(scope.Lifetime, user);
            notes.ReadyTime = scope.Time.GetElapsedTime(notes.CreatedTimestamp);
            var end = await AuditedTunnel.RunAsync(server, target.Upstream,
                new RelayEndpoint(transport.Stream, transport.Socket),
                new RelayEndpoint(upstream.Stream!, upstream.Socket),
                new RelayOptions(server.Config.TcpCopyBufferSize, server.Config.TcpSockSpeedLimit, upstream.SpeedLimit, scope.Time) { User = target.User },
                notes, scope.Lifetime).ConfigureAwait(false);
            // the idle watcher ends a blocked user's tunnel at its next check, as on http_proxy
            notes.Reason = scope.Lifetime.EndedByCondition ? "CanceledAsUserBlocked" : end.ToString();
            notes.Stage = "Finished";
        }
        finally
        {
            await upstream.DisposeUpstreamAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// g3's checks of a stream task's user before connecting: the rate limits (a connection is one
    /// request here), request_max_alive (its slot held for the task), then the user's dst filters.
    /// The task counts into the user's metrics (request tcp_connect, forbidden.*) as g3's do.
    /// A refusal sets the reason and error in <paramref name="notes"/>.
    /// </summary>
    private static bool UserAdmits(Target target, TaskNotes notes, Stats.ServerStats server, out AliveGuard? alive)
    {
        alive = null;
        if (target.User is not { } user) return true;
        notes.UserEscape = user.Escape;
        var counts = Stats.UserTaskCounts.AttachStream(user, notes, server);
        if (!user.CheckRateLimit(newConnection: true)) return Refuse(notes, counts, Stats.UserForbidden.RateLimited, "rate limited");
        alive = user.TryAcquireAlive();
        if (alive is null) return Refuse(notes, counts, Stats.UserForbidden.FullyLoaded, "fully loaded (request_max_alive)");
        if (!user.CheckUpstream(target.Upstream).IsForbidden()) return true;
        alive.Dispose();
        alive = null;
        return Refuse(notes, counts, Stats.UserForbidden.DestDenied, "dest denied by the user's rules");
    }

    private static bool Refuse(TaskNotes notes, Stats.UserTaskCounts counts, Stats.UserForbidden reason, string error)
    {
        counts.Forbid(reason);
        notes.Stage = "Preparing";
        notes.Reason = "ForbiddenByRule";
        notes.Error = error;
        return false;
    }
}
