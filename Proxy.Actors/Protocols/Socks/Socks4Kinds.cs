namespace Proxy.Actors.Protocols.Socks;

/// <summary>SOCKS4 request command (CD).</summary>
internal enum Socks4Command : byte
{
    Connect = 0x01,
    Bind = 0x02,
}

/// <summary>SOCKS4 reply code (CD of the reply).</summary>
internal enum Socks4ReplyCode : byte
{
    Granted = 90,
    RejectedOrFailed = 91,

    /// <summary>The client's identd could not be reached.</summary>
    NoIdentd = 92,

    /// <summary>identd reported a different user id.</summary>
    IdentMismatch = 93,
}
