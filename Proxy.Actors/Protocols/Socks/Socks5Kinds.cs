namespace Proxy.Actors.Protocols.Socks;

/// <summary>SOCKS5 request command (RFC 1928 section 4).</summary>
internal enum Socks5Command : byte
{
    Connect = 0x01,
    Bind = 0x02,
    UdpAssociate = 0x03,
}

/// <summary>SOCKS5 authentication method byte (RFC 1928 section 3); other values pass through as numbers.</summary>
internal enum Socks5AuthMethod : byte
{
    NoAuth = 0x00,
    Gssapi = 0x01,
    UsernamePassword = 0x02,
    NoAcceptable = 0xFF,
}

/// <summary>SOCKS5 address type byte (ATYP).</summary>
internal enum Socks5AddressType : byte
{
    IPv4 = 0x01,
    Domain = 0x03,
    IPv6 = 0x04,
}
