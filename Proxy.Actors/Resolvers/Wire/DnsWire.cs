using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Proxy.Actors.Resolvers.Wire;

/// <summary>What one DNS reply said: its code, whether it was truncated, and the addresses with their shortest TTL.</summary>
internal readonly record struct DnsReply(ushort Id, int ResponseCode, bool Truncated, IReadOnlyList<IPAddress> Addresses, uint Ttl);

/// <summary>
/// The few pieces of the DNS wire format (RFC 1035 section 4) our own transports need (bound c-ares, hickory UDP/TCP, DoT, DoH): an A/AAAA
/// question, and the answer section of the reply. Pure functions over bytes.
/// </summary>
internal static class DnsWire
{
    public const ushort TypeA = 1;
    public const ushort TypeAaaa = 28;

    /// <summary>A recursive query for <paramref name="host"/>; null when the name cannot be encoded.</summary>
    public static byte[]? Query(ushort id, string host, ushort type)
    {
        var name = host.TrimEnd('.');
        if (name.Length is 0 or > 253) return null;
        var labels = name.Split('.');
        var size = 12 + 1 + 4;
        foreach (var l in labels)
        {
            if (l.Length is 0 or > 63) return null;
            size += 1 + Encoding.ASCII.GetByteCount(l);
        }
        var q = new byte[size];
        BinaryPrimitives.WriteUInt16BigEndian(q, id);
        q[2] = 0x01;                                          // RD: recursion desired
        BinaryPrimitives.WriteUInt16BigEndian(q.AsSpan(4), 1); // one question
        var at = 12;
        foreach (var l in labels)
        {
            q[at++] = (byte)l.Length;
            at += Encoding.ASCII.GetBytes(l, q.AsSpan(at));
        }
        q[at++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(q.AsSpan(at), type);
        BinaryPrimitives.WriteUInt16BigEndian(q.AsSpan(at + 2), 1); // class IN
        return q;
    }

    /// <summary>Reads a reply; null when it is not a well-formed DNS response.</summary>
    public static DnsReply? Parse(ReadOnlySpan<byte> r, ushort type)
    {
        if (r.Length < 12 || (r[2] & 0x80) == 0) return null;  // too short, or not a response
        var id = BinaryPrimitives.ReadUInt16BigEndian(r);
        var truncated = (r[2] & 0x02) != 0;
        var rcode = r[3] & 0x0f;
        var questions = BinaryPrimitives.ReadUInt16BigEndian(r[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(r[6..]);
        var at = 12;
        for (var i = 0; i < questions; i++)
        {
            if (!SkipName(r, ref at) || at + 4 > r.Length) return null;
            at += 4;
        }
        var addresses = new List<IPAddress>();
        var ttl = uint.MaxValue;
        for (var i = 0; i < answers; i++)
        {
            if (!SkipName(r, ref at) || at + 10 > r.Length) return null;
            var rtype = BinaryPrimitives.ReadUInt16BigEndian(r[at..]);
            var rttl = BinaryPrimitives.ReadUInt32BigEndian(r[(at + 4)..]);
            var len = BinaryPrimitives.ReadUInt16BigEndian(r[(at + 8)..]);
            at += 10;
            if (at + len > r.Length) return null;
            if (rtype == type && ((type == TypeA && len == 4) || (type == TypeAaaa && len == 16)))
            {
                addresses.Add(new IPAddress(r.Slice(at, len)));
                ttl = Math.Min(ttl, rttl);
            }
            at += len;
        }
        return new DnsReply(id, rcode, truncated, addresses, addresses.Count == 0 ? 0 : ttl);
    }

    /// <summary>Steps over a (possibly compressed) name.</summary>
    private static bool SkipName(ReadOnlySpan<byte> r, ref int at)
    {
        while (at < r.Length)
        {
            var len = r[at];
            if (len == 0)
            {
                at++;
                return true;
            }
            if ((len & 0xC0) == 0xC0)
            {
                at += 2;
                return at <= r.Length;
            }
            at += 1 + len;
        }
        return false;
    }
}
