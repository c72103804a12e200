using System.Buffers;

namespace Proxy.Actors.Protocols.ProxyProtocol;

/// <summary>Reads whichever PROXY header version the connection starts with (servers that accept both).</summary>
internal static class ProxyProtocolParser
{
    /// <summary>Detects v1/v2 and parses; a connection that starts with neither is Invalid.</summary>
    public static ParseResult<ProxyHeader> Parse(in ReadOnlySequence<byte> buffer, int maxV2DataLength = ProxyProtocolV2Parser.DefaultMaxDataLength) =>
        ProxyProtocolDetector.Detect(buffer) switch
        {
            ProxyProtocolDetection.V1 => ProxyProtocolV1Parser.Parse(buffer),
            ProxyProtocolDetection.V2 => ProxyProtocolV2Parser.Parse(buffer, maxV2DataLength),
            ProxyProtocolDetection.NeedMore => ParseResult<ProxyHeader>.NeedMore,
            _ => ParseResult<ProxyHeader>.Invalid("no PROXY protocol header"),
        };
}
