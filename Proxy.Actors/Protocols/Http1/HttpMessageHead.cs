namespace Proxy.Actors.Protocols.Http1;

/// <summary>A parsed request line and header block.</summary>
public sealed class HttpRequestHead
{
    public required string Method { get; init; }
    public required string Target { get; init; }
    /// <summary>10 for HTTP/1.0, 11 for HTTP/1.1.</summary>
    public required int Version { get; init; }
    public HttpHeaders Headers { get; } = new();
    /// <summary>Bytes the head took on the wire (request line through the blank line).</summary>
    public int WireLength { get; init; }

    public bool IsConnect => Method == "CONNECT";
}

/// <summary>A parsed status line and header block.</summary>
public sealed class HttpResponseHead
{
    public required int Version { get; init; }
    public required int Status { get; init; }
    public required string Reason { get; init; }
    public HttpHeaders Headers { get; } = new();
    public int WireLength { get; init; }
}
