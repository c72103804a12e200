using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.CertGen;
using Proxy.Actors.Protocols.Ftp;
using Proxy.Actors.Protocols.Smtp;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// g3's smtp_interception (g3proxy/src/inspect/smtp): inside a tunnel recognised as SMTP, the greeting,
/// the commands and the replies are relayed one at a time under smtp_interception's timeouts; the EHLO
/// reply keeps only the extensions the interception can follow; each mail transaction (MAIL to the end of
/// DATA or the last BDAT) gets an SmtpTransaction Intercept record and the session an SmtpConnection one.
/// STARTTLS is intercepted like any TLS (both sides, a certificate for service smtp) when the auditor has a
/// certificate agent, and the session goes on inside; without one the rest of the stream passes untouched.
/// smtp_inspect_policy: block answers 554 and ends the task, bypass relays the stream untouched.
/// </summary>
internal static class SmtpInterceptor
{
    public static async Task<RelayEnd> RunAsync(TunnelAudit audit, RelayEndpoint client, RelayEndpoint remote, int depth, bool fromStartTls = false)
    {
        if (await InspectPolicyGate.ApplyAsync(audit, audit.Auditor.Config.SmtpInspectPolicy, "smtp", SmtpSession.Reply("554 5.7.1 service blocked by the proxy's policy"), client, remote).ConfigureAwait(false) is { } decided)
            return decided;
        var options = InspectPolicyGate.ReaderOptions;
        var session = new SmtpSession(audit, client, remote, PipeReader.Create(client.Stream, options), PipeReader.Create(remote.Stream, options), depth, fromStartTls);
        RelayEnd end;
        try
        {
            end = await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            await session.CompleteAsync().ConfigureAwait(false);
        }
        session.LogConnection(end);
        return audit.Activity.TimedOut ? RelayEnd.Idle : end;
    }
}

/// <summary>One intercepted SMTP session: the state g3 keeps (client host, extensions, transaction count).</summary>
internal sealed class SmtpSession(TunnelAudit audit, RelayEndpoint client, RelayEndpoint remote, PipeReader clientReader, PipeReader remoteReader, int depth, bool fromStartTls)
{
    private const int MaxReplyLines = 128;
    private readonly SmtpInterceptionConfig _config = audit.Auditor.Config.SmtpInterception;
    private string _clientHost = "";
    private string _serverHost = "";
    private int _transactions;
    private SmtpServerExtensions _ext = SmtpServerExtensions.None;
    private string? _mailFrom;
    private readonly List<string> _mailTo = [];
    private long _dataBytes;
    private bool _readersDone;

    public async Task<RelayEnd> RunAsync()
    {
        if (!fromStartTls)
        {
            var (status, greeting, raw) = await ReadReplyAsync(_config.GreetingTimeout).ConfigureAwait(false);
            if (status != MessageRead.Done) return ReplyFailed(status, "greeting");
            if (!await SendAsync(client, raw!).ConfigureAwait(false)) return RelayEnd.ClientTcpWriteFailed;
            var text = greeting!.Text;
            _serverHost = text.Split(' ', 2)[0];
            if (greeting.Code == 554) return await QuitAfterNoServiceAsync().ConfigureAwait(false);
            if (greeting.Code != 220) return Fail($"smtp: unexpected reply code {greeting.Code} in greeting stage");
        }
        while (true)
        {
            var (status, _, line) = await PipeMessageReader.ReadAsync(clientReader, LineParser, _config.CommandWaitTimeout, audit).ConfigureAwait(false);
            switch (status)
            {
                case MessageRead.Closed: return RelayEnd.ClosedByClient;
                case MessageRead.Failed: return RelayEnd.ClientTcpReadFailed;
                case MessageRead.TimedOut: return Fail("smtp: no command within command_wait_timeout");
                case MessageRead.Invalid: return Fail("smtp: command line too long");
            }
            audit.Notes.Bytes.ClientRead += line!.Length;
            var command = SmtpCommand.Parse(line);
            RelayEnd? end = command.Verb switch
            {
                "EHLO" or "HELO" => await HelloAsync(command, line).ConfigureAwait(false),
                "STARTTLS" => await StartTlsAsync(line).ConfigureAwait(false),
                "MAIL" => await SimpleAsync(line, _config.ResponseWaitTimeout, ok => { if (ok) BeginTransaction(command); }).ConfigureAwait(false),
                "RCPT" => await SimpleAsync(line, _config.ResponseWaitTimeout, ok => { if (ok && _mailFrom is not null) _mailTo.Add(command.Path()); }).ConfigureAwait(false),
                "RSET" => await SimpleAsync(line, _config.ResponseWaitTimeout, _ => EndTransaction(aborted: true)).ConfigureAwait(false),
                "DATA" => await DataAsync(line).ConfigureAwait(false),
                "BDAT" => _ext.Chunking && _config.AllowDataChunking ? await ChunkAsync(command, line).ConfigureAwait(false) : await LocalAsync(NotImplemented).ConfigureAwait(false),
                "BURL" => _ext.Burl && _config.AllowBurlData ? await SimpleAsync(line, _config.DataTerminationTimeout, _ => { }).ConfigureAwait(false) : await LocalAsync(NotImplemented).ConfigureAwait(false),
                "ATRN" => _ext.Odmr && _config.AllowOnDemandMailRelay ? await ReverseAsync(line).ConfigureAwait(false) : await LocalAsync(NotImplemented).ConfigureAwait(false),
                "QUIT" => await QuitAsync(line).ConfigureAwait(false),
                _ => await SimpleAsync(line, _config.ResponseWaitTimeout, _ => { }).ConfigureAwait(false),
            };
            if (end is { } done) return done;
        }
    }

    private static readonly byte[] NotImplemented = Reply("502 5.5.1 command not implemented by the proxy");

    internal static byte[] Reply(string text) => Encoding.ASCII.GetBytes(text + "\r\n");

    private static ParseResult<int> LineParser(in ReadOnlySequence<byte> buffer) => PipeMessageReader.Line(buffer, SmtpCommand.MaxLineSize);

    private static ParseResult<FtpReply> ReplyParser(in ReadOnlySequence<byte> buffer) =>
        // SMTP replies have FTP's grammar (RFC 5321 section 4.2 follows RFC 959): one parser for both.
        FtpReplyParser.Parse(buffer, SmtpCommand.MaxLineSize, MaxReplyLines);

    private Task<(MessageRead, FtpReply?, byte[]?)> ReadReplyAsync(TimeSpan limit) =>
        PipeMessageReader.ReadAsync(remoteReader, ReplyParser, limit, audit);

    /// <summary>A command passed on, its reply passed back; <paramref name="after"/> learns whether it was 2xx.</summary>
    private async Task<RelayEnd?> SimpleAsync(byte[] line, TimeSpan limit, Action<bool> after)
    {
        if (!await SendAsync(remote, line).ConfigureAwait(false)) return RelayEnd.UpstreamWriteFailed;
        var (status, reply, raw) = await ReadReplyAsync(limit).ConfigureAwait(false);
        if (status != MessageRead.Done) return ReplyFailed(status, "reply");
        if (!await SendAsync(client, raw!).ConfigureAwait(false)) return RelayEnd.ClientTcpWriteFailed;
        after(reply!.Code is >= 200 and < 300);
        return reply.Code == 421 ? Fail("smtp: server closing (421)") : null;
    }

    private async Task<RelayEnd?> LocalAsync(byte[] reply) =>
        await SendAsync(client, reply).ConfigureAwait(false) ? null : RelayEnd.ClientTcpWriteFailed;

    /// <summary>EHLO/HELO: the reply's extension lines are filtered as g3 does, and the server's own kept.</summary>
    private async Task<RelayEnd?> HelloAsync(SmtpCommand command, byte[] line)
    {
        _clientHost = command.Argument;
        if (!await SendAsync(remote, line).ConfigureAwait(false)) return RelayEnd.UpstreamWriteFailed;
        var (status, reply, raw) = await ReadReplyAsync(_config.ResponseWaitTimeout).ConfigureAwait(false);
        if (status != MessageRead.Done) return ReplyFailed(status, "EHLO reply");
        if (reply!.Code != 250 || command.Verb != "EHLO")
            return await SendAsync(client, raw!).ConfigureAwait(false) ? null : RelayEnd.ClientTcpWriteFailed;
        _ext = SmtpExtensions.Announced(reply.Lines);
        var kept = new List<string> { reply.Lines[0] };
        foreach (var l in reply.Lines.Skip(1))
            if (SmtpExtensions.Allowed(SmtpExtensions.Keyword(l), _config.AllowDataChunking, _config.AllowBurlData, _config.AllowOnDemandMailRelay, fromStartTls))
                kept.Add(l);
        var sb = new StringBuilder();
        for (var i = 0; i < kept.Count; i++)
            sb.Append("250").Append(i == kept.Count - 1 ? ' ' : '-').Append(kept[i].Length > 4 ? kept[i][4..] : "").Append("\r\n");
        audit.Notes.Bytes.RemoteRead += raw!.Length;
        return await SendAsync(client, Encoding.UTF8.GetBytes(sb.ToString()), countRead: false).ConfigureAwait(false) ? null : RelayEnd.ClientTcpWriteFailed;
    }

    /// <summary>
    /// STARTTLS passed on; on 220 the client's TLS goes to the TLS interceptor, which goes on with SMTP
    /// inside (no greeting there). Bytes after the command line are refused: a command injected before
    /// the handshake (the STARTTLS plaintext injection attack) must not reach the encrypted session.
    /// </summary>
    private async Task<RelayEnd?> StartTlsAsync(byte[] line)
    {
        if (fromStartTls || !_ext.StartTls) return await LocalAsync(Reply("503 5.5.1 bad sequence of commands")).ConfigureAwait(false);
        if (!await SendAsync(remote, line).ConfigureAwait(false)) return RelayEnd.UpstreamWriteFailed;
        var (status, reply, raw) = await ReadReplyAsync(_config.ResponseWaitTimeout).ConfigureAwait(false);
        if (status != MessageRead.Done) return ReplyFailed(status, "STARTTLS reply");
        if (!await SendAsync(client, raw!).ConfigureAwait(false)) return RelayEnd.ClientTcpWriteFailed;
        if (reply!.Code != 220) return null;
        var clientLeft = PipeMessageReader.Drain(clientReader);
        var remoteLeft = PipeMessageReader.Drain(remoteReader);
        if (clientLeft.Length > 0 || remoteLeft.Length > 0) return Fail("smtp: data after STARTTLS before the TLS handshake");
        await CompleteAsync().ConfigureAwait(false);
        if (audit.Auditor.CertAgent is null || depth >= audit.Auditor.Config.ProtocolInspection.InspectMaxDepth)
        {
            audit.Notes.Stage = "Relaying";
            return await TunnelRelay.RunAsync(client, remote, audit.Options, audit.Notes.Bytes, audit.Activity).ConfigureAwait(false);
        }
        var peek = new PeekStream(client.Stream, 1024, StreamInspector.MaxHelloBuffer);
        return await TlsInterceptor.RunAsync(audit, client with { Stream = peek }, peek, remote, depth,
            (c, r) => SmtpInterceptor.RunAsync(audit, c, r, depth + 1, fromStartTls: true), TlsServiceType.Smtp).ConfigureAwait(false);
    }

    /// <summary>DATA: 354, then the mail as it comes up to its terminating ".", then the final reply ends the transaction.</summary>
    private async Task<RelayEnd?> DataAsync(byte[] line)
    {
        if (!await SendAsync(remote, line).ConfigureAwait(false)) return RelayEnd.UpstreamWriteFailed;
        var (status, reply, raw) = await ReadReplyAsync(_config.DataInitiationTimeout).ConfigureAwait(false);
        if (status != MessageRead.Done) return ReplyFailed(status, "DATA reply");
        if (!await SendAsync(client, raw!).ConfigureAwait(false)) return RelayEnd.ClientTcpWriteFailed;
        if (reply!.Code != 354) return null;
        if (audit.Auditor.IcapReqmod is { } reqmod) return await DataThroughIcapAsync(reqmod).ConfigureAwait(false);
        var scanner = new SmtpDataScanner();
        var copied = await CopyAsync(span => scanner.Scan(span), () => scanner.Done, _config.DataTerminationTimeout).ConfigureAwait(false);
        if (copied is { } failed) return failed;
        return await FinishTransactionAsync().ConfigureAwait(false);
    }

    /// <summary>The mail through the REQMOD service (<see cref="SmtpMailIcap"/>); a blocked mail gets g3's 421 and ends the task.</summary>
    private async Task<RelayEnd?> DataThroughIcapAsync(Audit.Icap.IcapClient reqmod)
    {
        var result = await SmtpMailIcap.RunAsync(audit, reqmod, client, clientReader, remote.Stream, _mailFrom ?? "", _mailTo, _config.DataTerminationTimeout)
            .ConfigureAwait(false);
        var bytes = audit.Notes.Bytes;
        bytes.ClientRead += result.ClientBytes;
        bytes.RemoteWritten += result.ServerBytes;
        _dataBytes += result.ClientBytes;
        switch (result.Outcome)
        {
            case SmtpMailIcap.Outcome.Sent:
                return await FinishTransactionAsync().ConfigureAwait(false);
            case SmtpMailIcap.Outcome.Blocked:
                await SendAsync(client, Reply(result.Reply!), countRead: false).ConfigureAwait(false);
                EndTransaction(aborted: true);
                return Fail(result.Error!);
            case SmtpMailIcap.Outcome.ServerWriteFailed:
                return RelayEnd.UpstreamWriteFailed;
            default:
                EndTransaction(aborted: true);
                return Fail(result.Error!);
        }
    }

    /// <summary>BDAT size [LAST] (only when chunking is allowed): exactly size bytes follow the line.</summary>
    private async Task<RelayEnd?> ChunkAsync(SmtpCommand command, byte[] line)
    {
        if (command.ChunkSize() is not { } chunk) return await LocalAsync(Reply("501 5.5.4 invalid BDAT size")).ConfigureAwait(false);
        if (!await SendAsync(remote, line).ConfigureAwait(false)) return RelayEnd.UpstreamWriteFailed;
        var left = chunk.Size;
        var copied = await CopyAsync(span => { var n = (int)Math.Min(left, span.Length); left -= n; return n; }, () => left == 0, _config.DataTerminationTimeout)
            .ConfigureAwait(false);
        if (copied is { } failed) return failed;
        if (chunk.Last) return await FinishTransactionAsync().ConfigureAwait(false);
        return await SimpleAsync([], _config.ResponseWaitTimeout, _ => { }).ConfigureAwait(false);
    }

    private async Task<RelayEnd?> FinishTransactionAsync()
    {
        var (status, reply, raw) = await ReadReplyAsync(_config.DataTerminationTimeout).ConfigureAwait(false);
        if (status != MessageRead.Done) return ReplyFailed(status, "end of data reply");
        if (!await SendAsync(client, raw!).ConfigureAwait(false)) return RelayEnd.ClientTcpWriteFailed;
        EndTransaction(aborted: false, reply!.Code);
        return null;
    }

    /// <summary>Mail bytes from the client to the server while <paramref name="take"/> says they belong to it.</summary>
    private async Task<RelayEnd?> CopyAsync(Func<ReadOnlySpan<byte>, int> take, Func<bool> done, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit, audit.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(audit.Token, timeout.Token);
        while (!done())
        {
            ReadResult r;
            try
            {
                r = await clientReader.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !audit.Token.IsCancellationRequested)
            {
                return Fail("smtp: mail data not ended within data_termination_timeout");
            }
            catch (Exception e) when (e is OperationCanceledException || IoErrors.IsExpected(e))
            {
                return RelayEnd.ClientTcpReadFailed;
            }
            var buffer = r.Buffer;
            long used = 0;
            foreach (var segment in buffer)
            {
                var n = take(segment.Span);
                if (n > 0)
                {
                    try
                    {
                        await remote.Stream.WriteAsync(segment[..n], linked.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is OperationCanceledException || IoErrors.IsExpected(e))
                    {
                        clientReader.AdvanceTo(buffer.GetPosition(used));
                        return RelayEnd.UpstreamWriteFailed;
                    }
                }
                used += n;
                if (done()) break;
            }
            clientReader.AdvanceTo(buffer.GetPosition(used));
            audit.Notes.Bytes.ClientRead += used;
            audit.Notes.Bytes.RemoteWritten += used;
            _dataBytes += used;
            audit.Activity.Touch();
            if (!done() && r.IsCompleted) return RelayEnd.ClosedByClient;
        }
        return null;
    }

    private async Task<RelayEnd?> QuitAsync(byte[] line)
    {
        if (!await SendAsync(remote, line).ConfigureAwait(false)) return RelayEnd.UpstreamWriteFailed;
        var (status, _, raw) = await ReadReplyAsync(_config.QuitWaitTimeout).ConfigureAwait(false);
        if (status == MessageRead.Done) await SendAsync(client, raw!).ConfigureAwait(false);
        EndTransaction(aborted: true);
        await client.ShutdownSendAsync().ConfigureAwait(false);
        return RelayEnd.ClosedByClient;
    }

    /// <summary>ATRN accepted: the roles turn round (RFC 2645), which the interception does not follow; the rest passes untouched.</summary>
    private async Task<RelayEnd?> ReverseAsync(byte[] line)
    {
        var reversed = false;
        if (await SimpleAsync(line, _config.ResponseWaitTimeout, ok => reversed = ok).ConfigureAwait(false) is { } end) return end;
        if (!reversed) return null;
        var clientLeft = PipeMessageReader.Drain(clientReader);
        var remoteLeft = PipeMessageReader.Drain(remoteReader);
        await CompleteAsync().ConfigureAwait(false);
        audit.Notes.Stage = "Relaying";
        return await TunnelRelay.RunAsync(
            client with { Stream = new PrefixedStream(clientLeft, client.Stream) },
            remote with { Stream = new PrefixedStream(remoteLeft, remote.Stream) },
            audit.Options, audit.Notes.Bytes, audit.Activity).ConfigureAwait(false);
    }

    /// <summary>A 554 greeting: the client may still say QUIT; the server's side is ended.</summary>
    private async Task<RelayEnd> QuitAfterNoServiceAsync()
    {
        var (status, _, line) = await PipeMessageReader.ReadAsync(clientReader, LineParser, _config.CommandWaitTimeout, audit).ConfigureAwait(false);
        if (status == MessageRead.Done && SmtpCommand.Parse(line).Verb == "QUIT")
            await SendAsync(client, Reply("221 2.0.0 bye"), countRead: false).ConfigureAwait(false);
        return Fail("smtp: the server has no service (554)");
    }

    private void BeginTransaction(SmtpCommand mail)
    {
        _mailFrom = mail.Path();
        _mailTo.Clear();
        _dataBytes = 0;
    }

    /// <summary>g3's SmtpTransaction record: one per transaction that began (MAIL accepted).</summary>
    private void EndTransaction(bool aborted, int code = 0)
    {
        if (_mailFrom is null) return;
        var r = InterceptLog.Start(audit, "SmtpTransaction", depth, aborted ? "aborted" : "finished");
        r.Add("transaction_id", _transactions).Add("mail_from", _mailFrom).Add("mail_to", string.Join(",", _mailTo))
            .Add("data_bytes", _dataBytes);
        if (code != 0) r.Add("rsp_code", code);
        audit.Logger.LogIntercept(r);
        _transactions++;
        _mailFrom = null;
    }

    /// <summary>g3's SmtpConnection record at the end of the session.</summary>
    public void LogConnection(RelayEnd end)
    {
        var r = InterceptLog.Start(audit, "SmtpConnection", depth, audit.Notes.Error ?? (end is RelayEnd.ClosedByClient or RelayEnd.ClosedByUpstream ? "finished" : end.ToString()));
        r.Add("upstream", audit.Upstream.ToString()).Add("transaction_count", _transactions);
        if (_clientHost.Length > 0) r.Add("client_host", _clientHost);
        if (_serverHost.Length > 0) r.Add("server_host", _serverHost);
        audit.Logger.LogIntercept(r);
    }

    private RelayEnd ReplyFailed(MessageRead status, string what) => status switch
    {
        MessageRead.Closed => Fail($"smtp: server closed before its {what}", RelayEnd.ClosedByUpstream),
        MessageRead.Failed => RelayEnd.UpstreamReadFailed,
        MessageRead.TimedOut => Fail($"smtp: no {what} in time"),
        _ => Fail($"smtp: invalid {what}"),
    };

    private RelayEnd Fail(string why, RelayEnd end = RelayEnd.InterceptionError)
    {
        audit.Notes.Error ??= why;
        return end;
    }

    private async Task<bool> SendAsync(RelayEndpoint to, byte[] data, bool countRead = true)
    {
        if (data.Length == 0) return true;
        var ok = await TryWriteAsync(to.Stream, data, audit.Token).ConfigureAwait(false);
        var bytes = audit.Notes.Bytes;
        if (to == client)
        {
            if (countRead) bytes.RemoteRead += data.Length;
            bytes.ClientWritten += data.Length;
        }
        else bytes.RemoteWritten += data.Length;
        return ok;
    }

    internal static async Task<bool> TryWriteAsync(Stream stream, byte[] data, CancellationToken ct)
    {
        try
        {
            await stream.WriteAsync(data, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException || IoErrors.IsExpected(e))
        {
            return false;
        }
    }

    public async Task CompleteAsync()
    {
        if (_readersDone) return;
        _readersDone = true;
        await clientReader.CompleteAsync().ConfigureAwait(false);
        await remoteReader.CompleteAsync().ConfigureAwait(false);
    }
}
