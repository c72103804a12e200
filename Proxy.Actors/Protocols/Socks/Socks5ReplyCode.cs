namespace Proxy.Actors.Protocols.Socks;

/// <summary>SOCKS5 reply field (RFC 1928 section 6), plus g3's 0x09.</summary>
internal enum Socks5ReplyCode : byte
{
    Succeeded = 0x00,

    /// <summary>Also the answer to a malformed request (bad version, bad domain).</summary>
    GeneralFailure = 0x01,
    NotAllowedByRuleset = 0x02,
    NetworkUnreachable = 0x03,
    HostUnreachable = 0x04,
    ConnectionRefused = 0x05,
    TtlExpired = 0x06,

    /// <summary>The request's CMD is not CONNECT, BIND or UDP ASSOCIATE (or not served).</summary>
    CommandNotSupported = 0x07,

    /// <summary>The request's ATYP is not 1, 3 or 4.</summary>
    AddressTypeNotSupported = 0x08,

    /// <summary>Unassigned in RFC 1928; g3 sends it when the upstream connect times out.</summary>
    ConnectionTimedOut = 0x09,
}
