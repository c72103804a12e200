using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Protocols.Icap;

/// <summary>An ICAP response's status line and header block (RFC 3507 section 4.3.3).</summary>
public sealed class IcapResponseHead
{
    public required int Status { get; init; }
    public required string Reason { get; init; }
    public required HttpHeaders Headers { get; init; }
    /// <summary>Bytes the head took on the wire, through its blank line.</summary>
    public required int WireLength { get; init; }

    /// <summary>ICAP connections are persistent unless the server says <c>Connection: close</c>.</summary>
    public bool KeepAlive => !Headers.HasToken("Connection", "close");
}
