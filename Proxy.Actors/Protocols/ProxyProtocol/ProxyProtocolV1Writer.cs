using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Actors.Protocols.ProxyProtocol;

/// <summary>Writes a PROXY v1 line for a TCP connection (or UNKNOWN when the addresses are not known).</summary>
internal static class ProxyProtocolV1Writer
{
    /// <summary>"PROXY TCP4|TCP6 src dst sport dport\r\n"; IPv4-mapped IPv6 is written as IPv4, mixed families as TCP6.</summary>
    public static byte[] Write(IPEndPoint source, IPEndPoint destination)
    {
        var (src, dst) = ProxyAddressPair.Normalise(source.Address, destination.Address);
        var protocol = src.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        return Encoding.ASCII.GetBytes($"PROXY {protocol} {src} {dst} {source.Port} {destination.Port}\r\n");
    }

    /// <summary>"PROXY UNKNOWN\r\n": the receiver uses the connection's own endpoints.</summary>
    public static byte[] WriteUnknown() => "PROXY UNKNOWN\r\n"u8.ToArray();
}
