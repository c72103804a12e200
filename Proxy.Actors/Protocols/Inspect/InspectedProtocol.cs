namespace Proxy.Actors.Protocols.Inspect;

/// <summary>What protocol inspection found in a stream's first bytes (g3-dpi's Protocol, the part G3Actors recognises).</summary>
public enum InspectedProtocol
{
    /// <summary>Nothing matched: the stream passes through untouched.</summary>
    Unknown,
    /// <summary>The first bytes did not arrive (or not enough of them) within data0_read_timeout.</summary>
    Timeout,
    Tls,
    Http1,
    Http2,
    Ssh,
    Smtp,
    Imap,
    Pop3,
    Ftp,
    Nntp,
    Nats,
    BitTorrent,
}

/// <summary>One recognition step: a protocol, or "read more" (bounded by the caller's limits).</summary>
internal readonly record struct Recognition(InspectedProtocol Protocol, bool NeedMore)
{
    public static readonly Recognition More = new(InspectedProtocol.Unknown, true);
    public static readonly Recognition Unknown = new(InspectedProtocol.Unknown, false);
    public static Recognition Found(InspectedProtocol p) => new(p, false);
}

/// <summary>g3's data0_size_limit values the recognisers honour (bytes before giving up on one protocol).</summary>
internal sealed record RecognizeLimits(int HttpRequestUri = 4096, int FtpGreetingMsg = 512, int ImapGreetingMsg = 512, int NatsInfoLine = 1024);
