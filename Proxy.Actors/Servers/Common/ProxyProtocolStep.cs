using System.Buffers;
using System.Net;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.ProxyProtocol;

namespace Proxy.Actors.Servers.Common;

/// <summary>
/// Reads the PROXY protocol header (the version the server is configured for) within
/// proxy_protocol_read_timeout. The client and server addresses it carries become the
/// connection's facts; bytes behind it go on to the next step. A connection without a valid
/// header is dropped, as g3 does, with a task line that says why.
/// </summary>
internal static class ProxyProtocolStep
{
    /// <summary>The largest v2 header accepted (16 bytes + addresses + TLVs).</summary>
    private const int MaxHeaderBytes = 16 + 4096;

    public static async Task<ClientTransport?> ReadAsync(ClientTransport transport, ConnectionScope scope, int version, TimeSpan timeout)
    {
        TransportPeek.Parser<ProxyHeader> parse = version == 1
            ? static (in ReadOnlySequence<byte> b) => ProxyProtocolV1Parser.Parse(b)
            : static (in ReadOnlySequence<byte> b) => ProxyProtocolV2Parser.Parse(b, MaxHeaderBytes - 16);
        var peeked = await TransportPeek.ReadAsync(transport.Stream, parse, MaxHeaderBytes, timeout, scope.Time, scope.Token).ConfigureAwait(false);
        if (!peeked.Result.IsDone)
        {
            var notes = scope.NewTask(transport.Facts, "Unknown", scope.AcceptedAt);
            notes.Stage = "Preparing";
            notes.Reason = peeked.TimedOut ? "ClientAppTimeout" : peeked.Closed ? "ClosedByClient" : "InvalidClientProtocol";
            notes.Error = peeked.TimedOut ? "no PROXY protocol header within " + timeout
                : peeked.Closed ? "closed before a complete PROXY protocol header"
                : "PROXY protocol v" + version + ": " + peeked.Result.Reason;
            scope.FinishTask(notes);
            return null;
        }
        var header = peeked.Result.Value!;
        var facts = header is { Command: ProxyCommand.Proxy, Source: IPEndPoint src, Destination: IPEndPoint dst }
            ? transport.Facts with { ProxiedClientAddr = src, ProxiedServerAddr = dst }
            : transport.Facts;
        return transport.WithPrefix(peeked.Rest, facts);
    }
}
