using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Protocols.Inspect;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// g3's stream inspection: wait (data0_wait_timeout) for whichever side speaks first, read that
/// side until a protocol is recognised or data0_read_timeout / the buffer bound says stop, then
/// hand the stream on: TLS to interception (when the auditor has a certificate agent), HTTP/1 to
/// h1 interception, a blocked protocol to its end, anything else through the plain relay with the
/// inspected bytes read again first. Nested streams (decrypted TLS) come back here one level deeper.
/// </summary>
internal static class StreamInspector
{
    /// <summary>How far a ClientHello may make the client-side buffer grow (a TLS record's most plus its header).</summary>
    internal const int MaxHelloBuffer = 16 * 1024 + 5;

    public static async Task<RelayEnd> RunAsync(TunnelAudit audit, RelayEndpoint client, RelayEndpoint remote, int depth)
    {
        var config = audit.Auditor.Config;
        var inspection = config.ProtocolInspection;
        var c = new PeekStream(client.Stream, inspection.Data0BufferSize, Math.Max(inspection.Data0BufferSize, MaxHelloBuffer));
        var s = new PeekStream(remote.Stream, inspection.Data0BufferSize, inspection.Data0BufferSize);
        var peekedClient = client with { Stream = c };
        var peekedRemote = remote with { Stream = s };

        var (result, fromClient) = await RecognizeAsync(audit, c, s, depth).ConfigureAwait(false);
        if (result is { } end) return end;
        var protocol = fromClient.Protocol;
        var notes = audit.Notes;
        switch (protocol)
        {
            case InspectedProtocol.Unknown when audit.User?.Config.Audit.ProhibitUnknownProtocol == true:
                return Forbid(audit, "unknown protocol is prohibited for this user");
            case InspectedProtocol.Timeout when audit.User?.Config.Audit.ProhibitTimeoutProtocol == true:
                return Forbid(audit, "protocol inspection timed out and that is prohibited for this user");
            case InspectedProtocol.Tls when audit.Auditor.CertAgent is not null && depth < config.ProtocolInspection.InspectMaxDepth:
                return await TlsInterceptor.RunAsync(audit, peekedClient, c, peekedRemote, depth).ConfigureAwait(false);
            case InspectedProtocol.Http1:
                return await H1Interceptor.RunAsync(audit, peekedClient, peekedRemote, depth).ConfigureAwait(false);
            case InspectedProtocol.Http2 when config.H2InspectPolicy.Check(audit.Upstream.Host) == InspectAction.Block:
                return Forbid(audit, "h2 is blocked by h2_inspect_policy");
            case InspectedProtocol.Smtp:
                return await SmtpInterceptor.RunAsync(audit, peekedClient, peekedRemote, depth).ConfigureAwait(false);
            case InspectedProtocol.Imap:
                return await ImapInterceptor.RunAsync(audit, peekedClient, peekedRemote, depth).ConfigureAwait(false);
        }
        // Recognised but not intercepted here (or unknown): the stream passes untouched, inspected bytes first.
        notes.Stage = "Relaying";
        return await TunnelRelay.RunAsync(peekedClient, peekedRemote, audit.Options, notes.Bytes, audit.Activity).ConfigureAwait(false);
    }

    /// <summary>
    /// The protocol, or the task's end (idle before any data, a side failed). Both sides are read at
    /// once; the side that did not speak first keeps its read pending in its <see cref="PeekStream"/>.
    /// </summary>
    private static async Task<(RelayEnd? End, Recognition Found)> RecognizeAsync(TunnelAudit audit, PeekStream c, PeekStream s, int depth)
    {
        var config = audit.Auditor.Config;
        var inspection = config.ProtocolInspection;
        var time = audit.Time;
        var clientFill = c.FillAsync();
        var serverFill = s.FillAsync();
        Task<int> first;
        try
        {
            first = await Task.WhenAny(clientFill, serverFill).WaitAsync(inspection.Data0WaitTimeout, time, audit.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // g3 closes a tunnel where nobody spoke within data0_wait_timeout as idle
            audit.Notes.Error = $"no data within data0_wait_timeout ({inspection.Data0WaitTimeout.TotalSeconds:0.###}s)";
            return (RelayEnd.Idle, Recognition.Unknown);
        }
        catch (OperationCanceledException)
        {
            return (RelayEnd.Canceled, Recognition.Unknown);
        }
        var fromClient = first == clientFill;
        var side = fromClient ? c : s;
        var limits = Limits(inspection.Data0SizeLimit);
        var port = audit.Upstream.Port;
        var hint = fromClient ? config.ClientTcpPortmap.Get(port) ?? config.ServerTcpPortmap.Get(port) : config.ServerTcpPortmap.Get(port);
        if (first.IsFaulted) return (fromClient ? RelayEnd.ClientTcpReadFailed : RelayEnd.UpstreamReadFailed, Recognition.Unknown);
        var started = time.GetTimestamp();
        while (true)
        {
            var data = side.Buffered.Span;
            var found = fromClient ? ProtocolRecognizer.FromClient(data, limits, hint?.Protocols) : ProtocolRecognizer.FromServer(data, limits, hint?.Protocols);
            if (!found.NeedMore) return (null, found);
            // the side closed, or the bound is reached: nothing more to recognise
            if (side.Full || side.SawEnd) return (null, Recognition.Unknown);
            var left = inspection.Data0ReadTimeout - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) return (null, Recognition.Found(InspectedProtocol.Timeout));
            try
            {
                await side.FillAsync().WaitAsync(left, time, audit.Token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return (null, Recognition.Found(InspectedProtocol.Timeout));
            }
            catch (OperationCanceledException)
            {
                return (RelayEnd.Canceled, Recognition.Unknown);
            }
            catch (Exception e) when (IoErrors.IsExpected(e))
            {
                return (fromClient ? RelayEnd.ClientTcpReadFailed : RelayEnd.UpstreamReadFailed, Recognition.Unknown);
            }
        }
    }

    internal static RecognizeLimits Limits(InspectionSizeLimit l) => new(l.HttpRequestUri, l.FtpGreetingMsg, l.ImapGreetingMsg, l.NatsInfoLine);

    internal static RelayEnd Forbid(TunnelAudit audit, string why)
    {
        audit.Notes.Error = why;
        return RelayEnd.ForbiddenByRule;
    }
}
