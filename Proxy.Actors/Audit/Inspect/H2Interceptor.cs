using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// g3's h2_interception, entered when the intercepted TLS negotiated h2 on both sides: the client's
/// connection preface and SETTINGS are read first (within client_handshake_timeout, so a client that
/// stalls or leaves mid-handshake ends the task with that reason), then Kestrel serves the client
/// and <see cref="H2StreamForwarder"/> sends each stream upstream over the already-open TLS stream.
/// The task ends when the client connection ends (or the upstream one, which takes it down).
/// </summary>
internal static class H2Interceptor
{
    /// <param name="remoteDump">tls_stream_dump's flow for the upstream plaintext, when the remote side is dumped.</param>
    public static async Task<RelayEnd> RunAsync(TunnelAudit audit, RelayEndpoint client, SslStream upstream, string host, int depth, Dump.DumpFlow? remoteDump = null)
    {
        var notes = audit.Notes;
        notes.Stage = "H2Interception";
        var config = audit.Auditor.Config.H2Interception;
        var bytes = notes.Bytes;
        var counted = new H2CountingStream(client.Stream,
            n => { bytes.ClientRead += n; if (n > 0) audit.Activity.Touch(); },
            n => { bytes.ClientWritten += n; audit.Activity.Touch(); });
        var (preface, error, closed) = await H2Preface.ReadAsync(counted, config.ClientHandshakeTimeout, audit.Time, audit.Token)
            .ConfigureAwait(false);
        if (error is not null)
        {
            notes.Error = "h2: client handshake: " + error;
            LogConnection(audit, depth, 0, notes.Error);
            return closed ? RelayEnd.ClosedByClient : RelayEnd.InterceptionError;
        }

        using var session = new H2Session(audit, depth, host, upstream, remoteDump);
        var connection = new H2ClientConnection(new PrefixedStream(preface, counted), session, client.Socket?.LocalEndPoint, client.Socket?.RemoteEndPoint);
        session.AbortClient = () => connection.Abort(new ConnectionAbortedException("the upstream h2 connection closed"));
        if (!await audit.Auditor.H2Server.ServeAsync(connection, audit.Token).ConfigureAwait(false))
        {
            notes.Error = "h2: the auditor is stopping";
            return RelayEnd.Canceled;
        }
        RelayEnd end;
        using (audit.Token.Register(() => connection.Abort(new ConnectionAbortedException("the task ended"))))
        {
            await connection.Done.ConfigureAwait(false);
            end = audit.Token.IsCancellationRequested ? (audit.Activity.TimedOut ? RelayEnd.Idle : RelayEnd.Canceled)
                : session.UpstreamError is not null ? session.UpstreamEnd
                : RelayEnd.ClosedByClient;
        }
        if (session.UpstreamError is not null) notes.Error = session.UpstreamError;
        LogConnection(audit, depth, session.StreamCount, session.UpstreamError ?? "");
        return end;
    }

    /// <summary>g3's H2Connection record at the connection's end.</summary>
    private static void LogConnection(TunnelAudit audit, int depth, int streams, string message)
    {
        var r = InterceptLog.Start(audit, "H2Connection", depth, message);
        r.Add("upstream", audit.Upstream.ToString()).Add("total_sub_task", streams);
        if (message.Length > 0) r.Add("error", message);
        audit.Logger.LogIntercept(r);
    }
}
