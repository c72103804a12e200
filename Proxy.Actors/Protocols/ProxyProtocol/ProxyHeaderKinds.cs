namespace Proxy.Actors.Protocols.ProxyProtocol;

/// <summary>PROXY v2 command (low nibble of byte 13): LOCAL = health check, use the real endpoints.</summary>
internal enum ProxyCommand : byte
{
    Local = 0x0,
    Proxy = 0x1,
}

/// <summary>PROXY v2 address family (high nibble of byte 14); v1 maps TCP4/TCP6/UNKNOWN onto it.</summary>
internal enum ProxyFamily : byte
{
    Unspec = 0x0,
    Inet = 0x1,
    Inet6 = 0x2,
    Unix = 0x3,
}

/// <summary>PROXY v2 transport protocol (low nibble of byte 14).</summary>
internal enum ProxyTransport : byte
{
    Unspec = 0x0,
    Stream = 0x1,
    Dgram = 0x2,
}

/// <summary>Which PROXY protocol version (if any) the first bytes of a connection announce.</summary>
internal enum ProxyProtocolDetection
{
    NeedMore,
    V1,
    V2,
    Neither,
}
