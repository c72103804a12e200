using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Protocols.Socks;

/// <summary>A SOCKS4 or 4a request; Target.Host is the IP, or the domain a 4a client sent.</summary>
internal sealed record Socks4Request(Socks4Command Command, UpstreamAddr Target, string UserId, bool IsSocks4a);

/// <summary>A SOCKS5 greeting: the methods the client offers, in its order.</summary>
internal sealed record Socks5Greeting(IReadOnlyList<byte> Methods)
{
    public bool Offers(Socks5AuthMethod method) => Methods.Contains((byte)method);
}

/// <summary>RFC 1929 username/password sub-negotiation.</summary>
internal sealed record Socks5Credentials(string Username, string Password)
{
    public override string ToString() => $"Socks5Credentials {{ Username = {Username} }}";
}

/// <summary>A SOCKS5 request: command and destination (for UDP ASSOCIATE, where the client will send from).</summary>
internal sealed record Socks5Request(Socks5Command Command, UpstreamAddr Target);

/// <summary>A SOCKS5 reply as a client reads it: the code and BND.ADDR/BND.PORT.</summary>
internal sealed record Socks5Reply(Socks5ReplyCode Code, UpstreamAddr Bound);

/// <summary>The header of a SOCKS5 UDP datagram; Fragment != 0 means a fragment the caller should drop.</summary>
internal sealed record Socks5UdpHeader(byte Fragment, UpstreamAddr Target)
{
    public bool IsFragment => Fragment != 0;
}
