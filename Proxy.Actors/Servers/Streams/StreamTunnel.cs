using Proxy.Actors.Audit;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Logging;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers.Streams;

/// <summary>
/// What the stream servers (tcp_stream, tls_stream, sni_proxy, tcp_tproxy) share once they know
/// the target: an upstream through the escaper (TLS to it when asked), then the one relay (inspected when
/// the server's auditor says so, <see cref="AuditedTunnel"/>), and
/// the task line with g3's reason. A server decides the target; this moves the bytes.
/// </summary>
internal static class StreamTunnel
{
    /// <summary>The upstream and what to ask the escaper for it.</summary>
    public sealed record Target(UpstreamAddr Upstream, TlsClientConfig? Tls = null, string? TlsName = null);

    public static TaskNotes NewTask(ClientTransport transport, ConnectionScope scope) =>
        scope.NewTask(transport.Facts, "TcpConnect", scope.AcceptedAt);

    /// <summary>Connects and relays until the tunnel ends; the task line is written here whatever the end.</summary>
    public static async Task RunAsync(ClientTransport transport, ConnectionScope scope, TaskNotes notes, Target target)
    {
        var server = scope.Server;
        notes.Upstream = target.Upstream.ToString();
        notes.Stage = "Connecting";
        var request = new EscapeRequest(notes, target.Upstream, target.Tls is null ? EscapeWant.Tcp : EscapeWant.Tls)
        {
            Tls = target.Tls,
            TlsName = target.TlsName,
        };
        var upstream = await ServerEscape.EscapeAsync(server, request, scope.Token).ConfigureAwait(false);
        if (!upstream.Ok)
        {
            notes.Stage = "Connecting";
            scope.FinishTask(notes);
            return;
        }
        try
        {
            notes.Stage = "Relaying";
            notes.ReadyTime = scope.Time.GetElapsedTime(notes.CreatedTimestamp);
            var end = await AuditedTunnel.RunAsync(server, target.Upstream,
                new RelayEndpoint(transport.Stream, transport.Socket),
                new RelayEndpoint(upstream.Stream!, upstream.Socket),
                new RelayOptions(server.Config.TcpCopyBufferSize, server.Config.TcpSockSpeedLimit, upstream.SpeedLimit, scope.Time),
                notes, scope.Lifetime).ConfigureAwait(false);
            notes.Reason = end.ToString();
            notes.Stage = "Finished";
        }
        finally
        {
            await upstream.DisposeUpstreamAsync().ConfigureAwait(false);
            scope.FinishTask(notes);
        }
    }
}
