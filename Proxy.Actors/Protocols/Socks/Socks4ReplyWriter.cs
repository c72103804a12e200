using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Proxy.Actors.Protocols.Socks;

/// <summary>Server side of SOCKS4: the 8-byte reply VN=0 | CD | DSTPORT | DSTIP.</summary>
internal static class Socks4ReplyWriter
{
    /// <summary>bound is written only when it is IPv4 (SOCKS4 has no other); otherwise port and IP are zero.</summary>
    public static void Write(IBufferWriter<byte> output, Socks4ReplyCode code, IPEndPoint? bound = null)
    {
        var span = output.GetSpan(8)[..8];
        span.Clear();
        span[1] = (byte)code;
        var ip = bound?.Address is { } a && a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : bound?.Address;
        if (ip is { AddressFamily: AddressFamily.InterNetwork })
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)bound!.Port);
            ip.TryWriteBytes(span[4..], out _);
        }
        output.Advance(8);
    }
}
