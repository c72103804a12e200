using System.Buffers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Protocols.TlsHello;

namespace Proxy.Actors.Servers.Sni;

/// <summary>What sni_proxy learnt from a connection's first bytes: the host it names and how.</summary>
internal sealed record SniRequest(UpstreamAddr Target, bool Tls);

/// <summary>
/// The start of a connection as sni_proxy reads it, with the shared codecs: a TLS ClientHello
/// (its SNI, on the port the client dialled), else an HTTP/1 request head (its Host, whose port
/// wins when it has one). A hello without SNI or a head without Host is invalid.
/// </summary>
internal static class SniRequestParser
{
    private const int MaxHeadFields = 128;

    public static ParseResult<SniRequest> Parse(in ReadOnlySequence<byte> buffer, int port, int maxSize)
    {
        if (buffer.IsEmpty) return ParseResult<SniRequest>.NeedMore;
        return buffer.FirstSpan[0] == 0x16 ? Tls(buffer, port, maxSize) : Http(buffer, port, maxSize);
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
            case HeadParseStatus.Invalid: return ParseResult<SniRequest>.Invalid("neither TLS nor HTTP: " + error);
        }
        if (head!.Headers.CountOf("Host") != 1) return ParseResult<SniRequest>.Invalid("no single Host header in the HTTP request");
        var host = RequestTarget.ParseAuthority(head.Headers.Get("Host")!.Trim(), port);
        return host is null
            ? ParseResult<SniRequest>.Invalid("bad Host header")
            : ParseResult<SniRequest>.Done(new SniRequest(host, false), head.WireLength);
    }
}
