using System.Net;

namespace Proxy.Actors.Protocols.ProxyProtocol;

/// <summary>A parsed PROXY header (v1 or v2): who the real client was, and any v2 TLVs.</summary>
/// <remarks>
/// Source and Destination are null when the sender had no addresses to give (v1 UNKNOWN, v2 LOCAL or
/// UNSPEC): the receiver then uses the connection's own endpoints. They are <see cref="IPEndPoint"/> for
/// INET/INET6 and <see cref="System.Net.Sockets.UnixDomainSocketEndPoint"/> for UNIX.
/// </remarks>
internal sealed record ProxyHeader(
    int Version,
    ProxyCommand Command,
    ProxyFamily Family,
    ProxyTransport Transport,
    EndPoint? Source,
    EndPoint? Destination,
    IReadOnlyList<ProxyTlv> Tlvs)
{
    /// <summary>The first TLV of this type, or null.</summary>
    public ProxyTlv? Find(byte type)
    {
        foreach (var tlv in Tlvs)
            if (tlv.Type == type) return tlv;
        return null;
    }
}
