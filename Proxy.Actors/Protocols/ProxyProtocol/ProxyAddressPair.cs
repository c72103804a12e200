using System.Net;
using System.Net.Sockets;

namespace Proxy.Actors.Protocols.ProxyProtocol;

/// <summary>Brings a source/destination pair to one family, as both PROXY versions need.</summary>
internal static class ProxyAddressPair
{
    /// <summary>Both IPv4 (IPv4-mapped unmapped) when possible, else both IPv6 (IPv4 mapped); scope ids dropped.</summary>
    public static (IPAddress Source, IPAddress Destination) Normalise(IPAddress source, IPAddress destination)
    {
        var src = Unmap(source);
        var dst = Unmap(destination);
        if (src.AddressFamily == dst.AddressFamily) return (src, dst);
        return (Map(src), Map(dst));
    }

    private static IPAddress Unmap(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) return ip.MapToIPv4();
        return ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.ScopeId != 0 ? new IPAddress(ip.GetAddressBytes()) : ip;
    }

    private static IPAddress Map(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetwork ? ip.MapToIPv6() : ip;
}
