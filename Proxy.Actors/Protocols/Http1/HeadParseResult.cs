namespace Proxy.Actors.Protocols.Http1;

public enum HeadParseStatus
{
    /// <summary>No blank line yet; read more.</summary>
    Incomplete,
    Done,
    /// <summary>Syntax error: 400 for a request, 502 for a response.</summary>
    Invalid,
    /// <summary>Head larger than the limit, or too many fields: 431.</summary>
    TooLarge,
}
