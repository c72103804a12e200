using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.CertGen;
using Proxy.Actors.Protocols.Imap;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// g3's imap_interception (g3proxy/src/inspect/imap), in the part that decides what passes: inside a tunnel
/// recognised as IMAP the greeting is read within greeting_timeout, then both directions are relayed line
/// by line (command_line_max_size / response_line_max_size; literals pass as bytes), the client's commands
/// until authentication within authenticate_timeout; STARTTLS is intercepted like any TLS (a certificate for
/// service imap) and the session goes on inside; after LOGOUT the server gets logout_wait_timeout to close.
/// One ImapConnection Intercept record per session (g3 writes it with the SmtpConnection type, a slip this
/// does not copy). imap_inspect_policy: block answers BYE, bypass relays untouched.
/// </summary>
internal static class ImapInterceptor
{
    public static async Task<RelayEnd> RunAsync(TunnelAudit audit, RelayEndpoint client, RelayEndpoint remote, int depth, bool fromStartTls = false)
    {
        if (await InspectPolicyGate.ApplyAsync(audit, audit.Auditor.Config.ImapInspectPolicy, "imap", Encoding.ASCII.GetBytes("* BYE blocked by the proxy's policy\r\n"), client, remote).ConfigureAwait(false) is { } decided)
            return decided;
        var options = InspectPolicyGate.ReaderOptions;
        var session = new ImapSession(audit, client, remote, PipeReader.Create(client.Stream, options), PipeReader.Create(remote.Stream, options), depth, fromStartTls);
        RelayEnd end;
        try
        {
            end = await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            await session.CompleteAsync().ConfigureAwait(false);
        }
        session.Log(end);
        return audit.Activity.TimedOut ? RelayEnd.Idle : end;
    }
}

/// <summary>One intercepted IMAP session: a client loop and a server loop, met again at STARTTLS and at the end.</summary>
internal sealed class ImapSession(TunnelAudit audit, RelayEndpoint client, RelayEndpoint remote, PipeReader clientReader, PipeReader remoteReader, int depth, bool fromStartTls)
{
    /// <summary>How a loop stopped; Adapter: an APPEND's ICAP adaptation blocked or failed, the reason already noted.</summary>
    private enum Stop { Closed, Failed, StartTls, TimedOut, Invalid, Canceled, Adapter }

    private readonly ImapInterceptionConfig _config = audit.Auditor.Config.ImapInterception;
    private volatile string? _startTlsTag;
    private volatile string? _loginTag;
    private volatile bool _authenticated;
    private volatile bool _startTlsAccepted;
    private bool _serverBye;
    private bool _clientLogout;
    private bool _readersDone;

    public async Task<RelayEnd> RunAsync()
    {
        if (!fromStartTls)
        {
            var (status, greeting, raw) = await ReadLineAsync(remoteReader, _config.ResponseLineMaxSize, _config.GreetingTimeout).ConfigureAwait(false);
            if (status != MessageRead.Done) return Fail($"imap: no greeting ({status})", status == MessageRead.Closed ? RelayEnd.ClosedByUpstream : RelayEnd.InterceptionError);
            if (!await SendAsync(client, raw!, toClient: true).ConfigureAwait(false)) return RelayEnd.ClientTcpWriteFailed;
            if (greeting.Word == "BYE") _serverBye = true;
            if (greeting.Word == "PREAUTH") _authenticated = true;
            if (greeting.Tag != "*" || greeting.Word is not ("OK" or "PREAUTH" or "BYE")) return Fail("imap: invalid greeting");
            if (_serverBye) return RelayEnd.ClosedByUpstream;
        }
        while (true)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(audit.Token);
            var clientLoop = ClientLoopAsync(stop.Token);
            var serverLoop = ServerLoopAsync(stop.Token);
            var first = await Task.WhenAny(clientLoop, serverLoop).ConfigureAwait(false);
            var stopped = await first.ConfigureAwait(false);
            if (stopped == Stop.StartTls)
            {
                // the client waits for the server's answer to STARTTLS, and so does its loop
                var answer = await serverLoop.ConfigureAwait(false);
                await clientLoop.ConfigureAwait(false);
                if (answer != Stop.StartTls) return End(answer, fromClient: false);
                _startTlsTag = null;
                if (_startTlsAccepted) return await StartTlsAsync().ConfigureAwait(false);
                continue;
            }
            if (first == serverLoop || stopped == Stop.Adapter)
            {
                // the server closed (after BYE or LOGOUT) or failed, or ICAP refused a message: the client hears the close
                await stop.CancelAsync().ConfigureAwait(false);
                await ((Task)clientLoop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await ((Task)serverLoop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await client.ShutdownSendAsync().ConfigureAwait(false);
                // not the adapter: it was the server's loop that stopped
                return stopped == Stop.Adapter ? RelayEnd.InterceptionError : End(stopped, fromClient: false);
            }
            // the client closed or failed: the server gets logout_wait_timeout to finish and close
            await remote.ShutdownSendAsync().ConfigureAwait(false);
            try
            {
                await serverLoop.WaitAsync(_config.LogoutWaitTimeout, audit.Time, audit.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await ((Task)serverLoop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            return End(clientLoop.Result, fromClient: true);
        }
    }

    /// <summary>Client lines (and their literals) to the server, until the client ends or sends STARTTLS.</summary>
    private async Task<Stop> ClientLoopAsync(CancellationToken ct)
    {
        while (true)
        {
            var limit = _authenticated ? Timeout.InfiniteTimeSpan : _config.AuthenticateTimeout;
            var (status, line, raw) = await ReadLineAsync(clientReader, _config.CommandLineMaxSize, limit, ct).ConfigureAwait(false);
            if (status != MessageRead.Done) return AsStop(status);
            if (!await SendAsync(remote, raw!, toClient: false).ConfigureAwait(false)) return Stop.Failed;
            if (line.Literal >= 0)
            {
                var literal = line.Word == "APPEND" && audit.Auditor.IcapReqmod is { } reqmod
                    ? await AppendThroughIcapAsync(reqmod, line, ct).ConfigureAwait(false)
                    : await CopyLiteralAsync(clientReader, remote, line.Literal, toClient: false, ct).ConfigureAwait(false);
                if (literal is { } bad) return bad;
            }
            switch (line.Word)
            {
                case "LOGOUT":
                    _clientLogout = true;
                    break;
                case "LOGIN" or "AUTHENTICATE":
                    _loginTag = line.Tag;
                    break;
                case "STARTTLS" when !fromStartTls:
                    _startTlsTag = line.Tag;
                    return Stop.StartTls;
            }
        }
    }

    /// <summary>Server lines (and their literals) to the client, until the server ends or answers STARTTLS.</summary>
    private async Task<Stop> ServerLoopAsync(CancellationToken ct)
    {
        while (true)
        {
            var (status, line, raw) = await ReadLineAsync(remoteReader, _config.ResponseLineMaxSize, Timeout.InfiniteTimeSpan, ct).ConfigureAwait(false);
            if (status != MessageRead.Done) return AsStop(status);
            if (!await SendAsync(client, raw!, toClient: true).ConfigureAwait(false)) return Stop.Failed;
            if (line.Literal >= 0 && await CopyLiteralAsync(remoteReader, client, line.Literal, toClient: true, ct).ConfigureAwait(false) is { } bad) return bad;
            if (line.Tag == "*" && line.Word == "BYE") _serverBye = true;
            if (line.IsCompletion && line.Word == "OK" && line.Tag == _loginTag) _authenticated = true;
            if (line.IsCompletion && line.Tag == _startTlsTag)
            {
                _startTlsAccepted = line.Word == "OK";
                return Stop.StartTls;
            }
        }
    }

    /// <summary>
    /// STARTTLS accepted: nothing may follow it before the handshake (an injected command would reach the
    /// encrypted session), then the TLS interceptor goes on with IMAP inside.
    /// </summary>
    private async Task<RelayEnd> StartTlsAsync()
    {
        var clientLeft = PipeMessageReader.Drain(clientReader);
        var remoteLeft = PipeMessageReader.Drain(remoteReader);
        if (clientLeft.Length > 0 || remoteLeft.Length > 0) return Fail("imap: data after STARTTLS before the TLS handshake");
        await CompleteAsync().ConfigureAwait(false);
        if (audit.Auditor.CertAgent is null || depth >= audit.Auditor.Config.ProtocolInspection.InspectMaxDepth)
        {
            audit.Notes.Stage = "Relaying";
            return await TunnelRelay.RunAsync(client, remote, audit.Options, audit.Notes.Bytes, audit.Activity).ConfigureAwait(false);
        }
        var peek = new PeekStream(client.Stream, 1024, StreamInspector.MaxHelloBuffer);
        return await TlsInterceptor.RunAsync(audit, client with { Stream = peek }, peek, remote, depth,
            (c, r) => ImapInterceptor.RunAsync(audit, c, r, depth + 1, fromStartTls: true), TlsServiceType.Imap).ConfigureAwait(false);
    }

    /// <summary>The APPEND's message through REQMOD (<see cref="ImapAppendIcap"/>); a blocked one gets g3's BAD and BYE.</summary>
    private async Task<Stop?> AppendThroughIcapAsync(Icap.IcapClient reqmod, ImapLine line, CancellationToken ct)
    {
        var result = await ImapAppendIcap.RunAsync(audit, reqmod, clientReader, remote.Stream, line.Literal, ct).ConfigureAwait(false);
        var bytes = audit.Notes.Bytes;
        Interlocked.Add(ref bytes.ClientRead, result.ClientBytes);
        Interlocked.Add(ref bytes.RemoteWritten, result.ServerBytes);
        switch (result.Outcome)
        {
            case ImapAppendIcap.Outcome.Sent:
                return null;
            case ImapAppendIcap.Outcome.ServerWriteFailed:
                return Stop.Failed;
            case ImapAppendIcap.Outcome.Blocked:
                if (await SendAsync(client, Encoding.ASCII.GetBytes($"{line.Tag} BAD the message is blocked\r\n"), toClient: true).ConfigureAwait(false))
                    await SendAsync(client, "* BYE Blocked; connection not allowed\r\n"u8.ToArray(), toClient: true).ConfigureAwait(false);
                break;
        }
        Fail(result.Error!);
        return Stop.Adapter;
    }

    private async Task<Stop?> CopyLiteralAsync(PipeReader from, RelayEndpoint to, long size, bool toClient, CancellationToken ct)
    {
        var left = size;
        while (left > 0)
        {
            ReadResult r;
            try
            {
                r = await from.ReadAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException || IoErrors.IsExpected(e))
            {
                return Stop.Failed;
            }
            var chunk = r.Buffer.Slice(0, Math.Min(left, r.Buffer.Length));
            foreach (var segment in chunk)
                if (!await SendAsync(to, segment, toClient).ConfigureAwait(false)) return Stop.Failed;
            left -= chunk.Length;
            from.AdvanceTo(chunk.End);
            if (left > 0 && r.IsCompleted) return Stop.Closed;
        }
        return null;
    }

    private Task<(MessageRead Status, ImapLine Line, byte[]? Raw)> ReadLineAsync(PipeReader reader, int max, TimeSpan limit) =>
        ReadLineAsync(reader, max, limit, audit.Token);

    private async Task<(MessageRead Status, ImapLine Line, byte[]? Raw)> ReadLineAsync(PipeReader reader, int max, TimeSpan limit, CancellationToken ct)
    {
        var (status, _, raw) = await PipeMessageReader.ReadAsync(reader, (in ReadOnlySequence<byte> b) => PipeMessageReader.Line(b, max), limit, audit, ct)
            .ConfigureAwait(false);
        return (status, raw is null ? default : ImapLine.Parse(raw), raw);
    }

    private static Stop AsStop(MessageRead status) => status switch
    {
        MessageRead.Closed => Stop.Closed,
        MessageRead.TimedOut => Stop.TimedOut,
        MessageRead.Invalid => Stop.Invalid,
        _ => Stop.Failed,
    };

    private RelayEnd End(Stop stop, bool fromClient) => (stop, fromClient) switch
    {
        (Stop.Closed, true) => RelayEnd.ClosedByClient,
        (Stop.Closed, false) => RelayEnd.ClosedByUpstream,
        (Stop.TimedOut, true) => Fail("imap: not authenticated within authenticate_timeout"),
        (Stop.Invalid, true) => Fail("imap: command line longer than command_line_max_size"),
        (Stop.Invalid, false) => Fail("imap: response line longer than response_line_max_size"),
        (_, true) => RelayEnd.ClientTcpReadFailed,
        _ => RelayEnd.UpstreamReadFailed,
    };

    private RelayEnd Fail(string why, RelayEnd end = RelayEnd.InterceptionError)
    {
        audit.Notes.Error ??= why;
        return end;
    }

    private async Task<bool> SendAsync(RelayEndpoint to, ReadOnlyMemory<byte> data, bool toClient)
    {
        try
        {
            await to.Stream.WriteAsync(data, audit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException || IoErrors.IsExpected(e))
        {
            return false;
        }
        var bytes = audit.Notes.Bytes;
        if (toClient)
        {
            Interlocked.Add(ref bytes.RemoteRead, data.Length);
            Interlocked.Add(ref bytes.ClientWritten, data.Length);
        }
        else
        {
            Interlocked.Add(ref bytes.ClientRead, data.Length);
            Interlocked.Add(ref bytes.RemoteWritten, data.Length);
        }
        return true;
    }

    /// <summary>The ImapConnection record, with g3's server_bye and client_logout.</summary>
    public void Log(RelayEnd end)
    {
        var r = InterceptLog.Start(audit, "ImapConnection", depth, audit.Notes.Error ?? (end is RelayEnd.ClosedByClient or RelayEnd.ClosedByUpstream ? "finished" : end.ToString()));
        r.Add("upstream", audit.Upstream.ToString()).Add("server_bye", _serverBye ? "true" : "false").Add("client_logout", _clientLogout ? "true" : "false");
        audit.Logger.LogIntercept(r);
    }

    public async Task CompleteAsync()
    {
        if (_readersDone) return;
        _readersDone = true;
        await clientReader.CompleteAsync().ConfigureAwait(false);
        await remoteReader.CompleteAsync().ConfigureAwait(false);
    }
}
