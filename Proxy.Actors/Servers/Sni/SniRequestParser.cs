using System.Buffers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Protocols.Inspect;
using Proxy.Actors.Protocols.TlsHello;

namespace Proxy.Actors.Servers.Sni;

/// <summary>What sni_proxy learnt from a connection's first bytes: the host it names and how.</summary>
internal sealed record SniRequest(UpstreamAddr Target, bool Tls);

/// <summary>
/// The start of a connection as sni_proxy reads it, with the shared codecs: the protocol recognised
/// first (g3 runs its protocol inspector with the server's own protocol_inspection and port maps),
/// then a TLS ClientHello (its SNI, on the port the client dialled) or an HTTP/1 request head (its
/// Host, whose port wins when it has one). Anything else, a hello without SNI or a head without
/// Host is invalid.
/// </summary>
internal static class SniRequestParser
{
    private const int MaxHeadFields = 128;

    /// <param name="limits">the server's protocol_inspection data0_size_limit</param>
    /// <param name="hinted">the protocols its port maps name for this connection</param>
    public static ParseResult<SniRequest> Parse(in ReadOnlySequence<byte> buffer, int port, int maxSize, RecognizeLimits limits, IReadOnlyList<string>? hinted)
    {
        if (buffer.IsEmpty) return ParseResult<SniRequest>.NeedMore;
        var found = ProtocolRecognizer.FromClient(buffer.IsSingleSegment ? buffer.FirstSpan : buffer.ToArray(), limits, hinted);
        if (found.NeedMore) return ParseResult<SniRequest>.NeedMore;
        return found.Protocol switch
        {
            InspectedProtocol.Tls => Tls(buffer, port, maxSize),
            InspectedProtocol.Http1 => Http(buffer, port, maxSize),
            _ => ParseResult<SniRequest>.Invalid("unsupported client protocol"),
        };
    }

    private static ParseResult<SniRequest> Tls(in ReadOnlySequence<byte> buffer, int port, int maxSize)
    {
        var hello = ClientHelloParser.Parse(buffer, maxSize);
        if (!hello.IsDone) return hello.Cast<SniRequest>();
        return hello.Value!.ServerName is { } name
            ? ParseResult<SniRequest>.Done(new SniRequest(new UpstreamAddr(name, port), true), hello.Consumed)
            : ParseResult<SniRequest>.Invalid("no SNI in the TLS ClientHello");
    }

    private static ParseResult<SniRequest> Http(in ReadOnlySequence<byte> buffer, int port, int maxSize)
    {
        switch (HttpHeadParser.TryParseRequest(buffer, maxSize, MaxHeadFields, out var head, out var error))
        {
            case HeadParseStatus.Incomplete: return ParseResult<SniRequest>.NeedMore;
            case HeadParseStatus.TooLarge: return ParseResult<SniRequest>.TooLarge(error ?? "HTTP head too large");
            case HeadParseStatus.Invalid: return ParseResult<SniRequest>.Invalid("bad HTTP request head: " + error);
        }
        if (head!.Headers.CountOf("Host") != 1) return ParseResult<SniRequest>.Invalid("no single Host header in the HTTP request");
        var host = RequestTarget.ParseAuthority(head.Headers.Get("Host")!.Trim(), port);
        return host is null
            ? ParseResult<SniRequest>.Invalid("bad Host header")
            : ParseResult<SniRequest>.Done(new SniRequest(host, false), head.WireLength);
    }
}
