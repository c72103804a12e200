using System.Buffers.Binary;

namespace Proxy.Actors.Resolvers.Wire;

/// <summary>
/// DNS over a byte stream: each message behind a two-byte big-endian length (RFC 1035 4.2.2 for
/// TCP, RFC 7858 3.3 for TLS). Replies whose id is not ours are skipped, which also lets a
/// reused connection drop a late answer to an earlier, abandoned query.
/// </summary>
internal static class DnsStreamFraming
{
    /// <summary>Writes the query and reads until the reply with <paramref name="id"/>; null if the peer sent garbage.</summary>
    public static async Task<DnsReply?> ExchangeAsync(Stream stream, byte[] query, ushort id, ushort type, CancellationToken ct)
    {
        var framed = new byte[2 + query.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await stream.WriteAsync(framed, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
        var len = new byte[2];
        // A bound on the replies skipped, so a peer that streams foreign ids cannot hold us forever.
        for (var skipped = 0; skipped < 16; skipped++)
        {
            await stream.ReadExactlyAsync(len, ct).ConfigureAwait(false);
            var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
            await stream.ReadExactlyAsync(body, ct).ConfigureAwait(false);
            var reply = DnsWire.Parse(body, type);
            if (reply is null) return null;
            if (reply.Value.Id == id) return reply;
        }
        return null;
    }
}
