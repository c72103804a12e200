using System.IO.Pipelines;
using Proxy.Actors.Audit.Icap;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// The message of an IMAP APPEND (its literal) through the auditor's REQMOD service, as g3 adapts IMAP:
/// the literal goes to the ICAP server, without a preview, as the body of <c>PUT / HTTP/1.1</c> with
/// <c>Content-Type: message/rfc822</c> and <c>Content-Length</c> (the literal's size), the ICAP request
/// marked <c>X-Transformed-From: IMAP</c>. The message the ICAP server gives back goes to the server and
/// must keep the literal's size (the server was told it); an HTTP response from the ICAP server blocks it:
/// the client gets <c>tag BAD the message is blocked</c> and <c>* BYE Blocked; connection not allowed</c>.
/// </summary>
internal static class ImapAppendIcap
{
    public enum Outcome { Sent, Blocked, Failed, ServerWriteFailed }

    public sealed record Result(Outcome Outcome, string? Error, long ClientBytes, long ServerBytes);

    public static async Task<Result> RunAsync(TunnelAudit audit, IcapClient reqmod, PipeReader clientReader, Stream server, long size, CancellationToken ct)
    {
        var head = new HttpRequestHead { Method = "PUT", Target = "/", Version = 11 };
        head.Headers.Add("Content-Type", "message/rfc822");
        head.Headers.Add("Content-Length", size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // g3 bounds mail adaptation by the task's idle check; here each wait on the ICAP server has h1_interception's bound.
        var call = new IcapCall(audit.Notes.ClientAddr, audit.User?.Name, audit.Auditor.Config.H1Interception.RspHeaderRecvTimeout)
        {
            Activity = audit.Activity, TransformedFrom = "IMAP", NoPreview = true,
        };
        await using var literal = DecodedBody.Start(new BodyFraming(BodyKind.ContentLength, size), clientReader, 0, audit.Activity, ct);
        long sent = 0;
        var adapted = await reqmod.ReqmodAsync(head, literal.Stream, call, ct).ConfigureAwait(false);
        try
        {
            switch (adapted.Action)
            {
                case IcapAction.Failed:
                    return new Result(Outcome.Failed, "icap reqmod: " + adapted.Error, Read(literal), 0);
                case IcapAction.Respond:
                    var rsp = adapted.Response!;
                    if (adapted.Body is { } page) await SmtpMailIcap.DrainAsync(page, ct).ConfigureAwait(false);
                    return new Result(Outcome.Blocked, $"blocked by icap server: {rsp.Status} - {rsp.Reason}", Read(literal), 0);
                case IcapAction.Modified when adapted.Body is null:
                    return new Result(Outcome.Failed, "icap reqmod: the ICAP server gave back no message", Read(literal), 0);
                case IcapAction.Modified when adapted.Request!.Headers.Get("Content-Length") is { } length && length != size.ToString(System.Globalization.CultureInfo.InvariantCulture):
                    return new Result(Outcome.Failed, "icap reqmod: the message size changed", Read(literal), 0);
            }
            // Modified: the ICAP server's message; Bypassed: the client's, as it comes.
            var (status, written) = await IcapBodyWriter.WriteAsync(server, ReadOnlyMemory<byte>.Empty, adapted.Body, BodyMode.Raw, audit.Activity, ct).ConfigureAwait(false);
            sent = written;
            if (status == BodyWrite.DestinationFailed) return new Result(Outcome.ServerWriteFailed, null, Read(literal), sent);
            if (status == BodyWrite.SourceFailed) return new Result(Outcome.Failed, "icap reqmod: the message broke off", Read(literal), sent);
            if (written != size) return new Result(Outcome.Failed, "icap reqmod: the message size changed", Read(literal), sent);
        }
        finally
        {
            await adapted.DisposeAsync().ConfigureAwait(false);
        }
        // The ICAP server may have answered before the literal ended: the rest is read and dropped.
        return await SmtpMailIcap.DrainAsync(literal.Stream, ct).ConfigureAwait(false) ? new Result(Outcome.Sent, null, Read(literal), sent) : new Result(Outcome.Failed, "imap: the client left in the message", Read(literal), sent);
    }

    private static long Read(DecodedBody literal) => literal.Completion.IsCompletedSuccessfully ? literal.Completion.Result.Read : 0;
}
