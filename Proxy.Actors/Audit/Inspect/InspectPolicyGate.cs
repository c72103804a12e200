using System.IO.Pipelines;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>A protocol's inspect policy before its interception (smtp/imap_inspect_policy), the same for each.</summary>
internal static class InspectPolicyGate
{
    /// <summary>The readers the line-protocol interceptors use on each side (they leave the streams open).</summary>
    public static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 16 * 1024, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true);

    /// <summary>
    /// The task's end when the policy says block (after <paramref name="blockReply"/>, the protocol's own
    /// refusal) or bypass (the stream passes untouched); null when the protocol is to be intercepted.
    /// </summary>
    public static async Task<RelayEnd?> ApplyAsync(TunnelAudit audit, InspectPolicy policy, string protocol, byte[] blockReply, RelayEndpoint client, RelayEndpoint remote)
    {
        switch (policy.Check(audit.Upstream.Host))
        {
            case InspectAction.Block:
                await SmtpSession.TryWriteAsync(client.Stream, blockReply, audit.Token).ConfigureAwait(false);
                return StreamInspector.Forbid(audit, $"{protocol} is blocked by {protocol}_inspect_policy");
            case InspectAction.Bypass:
                audit.Notes.Stage = "Relaying";
                return await TunnelRelay.RunAsync(client, remote, audit.Options, audit.Notes.Bytes, audit.Activity).ConfigureAwait(false);
            default:
                return null;
        }
    }
}
