using System.IO.Pipelines;
using System.Net;
using Proxy.Actors.Audit.Icap;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Protocols.Smtp;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// A mail's DATA through the auditor's REQMOD service, as g3 adapts SMTP: after the server's 354 the
/// mail (dot-stuffing undone) goes to the ICAP server, without a preview, as the body of
/// <c>PUT / HTTP/1.1</c> with <c>Content-Type: message/rfc822</c>, one <c>X-SMTP-From</c> and an
/// <c>X-SMTP-To</c> per recipient, the ICAP request marked <c>X-Transformed-From: SMTP</c>. The mail the
/// ICAP server gives back goes to the server (dot-stuffed, terminated); an HTTP response from it blocks
/// the mail: the client gets 421 and the server never sees the end of the mail. Anything else, a 204
/// included (g3 wants the mail back), fails the adaptation; an unreachable service with bypass lets the
/// mail pass as it came.
/// </summary>
internal static class SmtpMailIcap
{
    public enum Outcome { Sent, Blocked, Failed, ServerWriteFailed }

    public sealed record Result(Outcome Outcome, string? Error, long ClientBytes, long ServerBytes)
    {
        /// <summary>g3's reply to the client for a blocked mail.</summary>
        public string? Reply { get; init; }
    }

    public static async Task<Result> RunAsync(TunnelAudit audit, IcapClient reqmod, RelayEndpoint client, PipeReader clientReader, Stream server,
        string from, IReadOnlyList<string> to, TimeSpan limit)
    {
        var ct = audit.Token;
        var head = new HttpRequestHead { Method = "PUT", Target = "/", Version = 11 };
        head.Headers.Add("Content-Type", "message/rfc822");
        head.Headers.Add("X-SMTP-From", from);
        foreach (var rcpt in to) head.Headers.Add("X-SMTP-To", rcpt);
        var call = new IcapCall(audit.Notes.ClientAddr, audit.User?.Name, limit) { Activity = audit.Activity, TransformedFrom = "SMTP", NoPreview = true };

        using var mail = new SmtpDataDecoder(clientReader, limit, audit.Time);
        long sent = 0;
        var adapted = await reqmod.ReqmodAsync(head, mail, call, ct).ConfigureAwait(false);
        try
        {
            switch (adapted.Action)
            {
                case IcapAction.Failed:
                    return new Result(Outcome.Failed, "icap reqmod: " + adapted.Error, mail.WireBytes, 0);
                case IcapAction.Respond:
                    var rsp = adapted.Response!;
                    if (adapted.Body is { } page) await DrainAsync(page, ct).ConfigureAwait(false);
                    return new Result(Outcome.Blocked, $"blocked by icap server: {rsp.Status} - {rsp.Reason}", mail.WireBytes, 0)
                    {
                        Reply = $"421 {LocalName(client)} Service not available, message blocked: ICAP Response {rsp.Status} {rsp.Reason}",
                    };
                case IcapAction.Modified when adapted.Body is null:
                    return new Result(Outcome.Failed, "icap reqmod: the ICAP server gave back no mail", mail.WireBytes, 0);
            }
            // Modified: the ICAP server's mail; Bypassed: the client's, as it comes.
            var (status, written, error) = await SmtpDataEncoder.CopyAsync(adapted.Body ?? Stream.Null, server, audit.Activity.Touch, ct).ConfigureAwait(false);
            sent = written;
            if (status == SmtpDataEncoder.Status.WriteFailed) return new Result(Outcome.ServerWriteFailed, error, mail.WireBytes, sent);
            if (status == SmtpDataEncoder.Status.ReadFailed)
                return new Result(Outcome.Failed, (adapted.BodyFromIcap ? "icap reqmod: the ICAP server's mail broke off: " : "") + error, mail.WireBytes, sent);
        }
        finally
        {
            await adapted.DisposeAsync().ConfigureAwait(false);
        }
        // The ICAP server may have answered before the client's mail ended: the rest is read and dropped.
        if (!mail.Ended && !await DrainAsync(mail, ct).ConfigureAwait(false))
            return new Result(Outcome.Failed, "smtp: the client's mail did not end", mail.WireBytes, sent);
        return new Result(Outcome.Sent, null, mail.WireBytes, sent);
    }

    /// <summary>Reads a body to its end and drops it; false when it broke off.</summary>
    internal static async Task<bool> DrainAsync(Stream body, CancellationToken ct) =>
        (await IcapBodyWriter.WriteAsync(Stream.Null, ReadOnlyMemory<byte>.Empty, body, BodyMode.Raw, null, ct).ConfigureAwait(false)).Status == BodyWrite.Done;

    /// <summary>How g3 names itself in an SMTP reply: its address on the client's connection.</summary>
    private static string LocalName(RelayEndpoint client)
    {
        var ip = (client.Socket?.LocalEndPoint as IPEndPoint)?.Address ?? IPAddress.Loopback;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? $"[{ip}]" : $"Ipv6:{ip}";
    }
}
