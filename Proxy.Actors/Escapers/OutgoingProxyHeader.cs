using System.Buffers;
using Proxy.Actors.Protocols.ProxyProtocol;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Escapers;

/// <summary>
/// use_proxy_protocol on an outgoing connection (direct_fixed, the proxy escapers): the PROXY
/// header goes first, with the client as source and the address it reached us on as destination,
/// as g3 writes it; without both addresses, v1 UNKNOWN or a v2 LOCAL header.
/// </summary>
internal static class OutgoingProxyHeader
{
    public static byte[] For(int version, EscapeRequest request, IReadOnlyList<ProxyTlv>? tlvs = null)
    {
        var (client, server) = (request.ClientAddr, request.Task.ServerAddr);
        if (version == 1)
            return client is null || server is null ? ProxyProtocolV1Writer.WriteUnknown() : ProxyProtocolV1Writer.Write(client, server);
        if (client is not null && server is not null) return ProxyProtocolV2Writer.Build(client, server, tlvs);
        var local = new ArrayBufferWriter<byte>();
        ProxyProtocolV2Writer.WriteLocal(local, tlvs);
        return local.WrittenSpan.ToArray();
    }

    /// <summary>Writes the header (v2 with <paramref name="tlvs"/>) on a connected result; a failed write closes it and fails the request.</summary>
    public static async ValueTask<EscapeResult> WriteAsync(EscapeResult connected, int? version, EscapeRequest request, string peer, CancellationToken ct,
        IReadOnlyList<ProxyTlv>? tlvs = null)
    {
        if (version is not { } v || !connected.Ok) return connected;
        try
        {
            await connected.Stream!.WriteAsync(For(v, request, tlvs), ct).ConfigureAwait(false);
            return connected;
        }
        catch (Exception e) when (e is not OperationCanceledException && IoErrors.IsExpected(e))
        {
            await connected.DisposeUpstreamAsync().ConfigureAwait(false);
            return connected.FailedWith(EscapeErrorKind.ConnectFailed, $"write PROXY header to {peer} failed: {e.Message}");
        }
    }
}
