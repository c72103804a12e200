using Proxy.Actors.Resolvers.Cache;

namespace Proxy.Actors.Resolvers.Wire;

/// <summary>What a parsed reply means to the cache: addresses with their TTL, or the failure it says.</summary>
internal static class DnsReplyResult
{
    public static string TypeName(ushort type) => type == DnsWire.TypeAaaa ? "AAAA" : "A";

    public static DriverAnswer ToAnswer(DnsReply r, string host, ushort type, string server)
    {
        var name = TypeName(type);
        return r.ResponseCode switch
        {
            0 when r.Addresses.Count > 0 => new DriverAnswer(new ResolveResult(r.Addresses, ResolveErrorKind.None), r.Ttl),
            0 => Fail(ResolveErrorKind.NoRecord, $"{name} {host}: no {name} record"),
            3 => Fail(ResolveErrorKind.NotFound, $"{name} {host}: NXDOMAIN"),
            _ => Fail(Classify(r.ResponseCode), $"{name} {host}: {RcodeName(r.ResponseCode)} from {server}"),
        };
    }

    public static ResolveErrorKind Classify(int rcode) => rcode switch
    {
        3 => ResolveErrorKind.NotFound,
        5 => ResolveErrorKind.Refused,
        1 => ResolveErrorKind.Malformed,
        _ => ResolveErrorKind.ServerFailure,
    };

    private static string RcodeName(int rcode) => rcode switch
    {
        1 => "FORMERR",
        2 => "SERVFAIL",
        4 => "NOTIMP",
        5 => "REFUSED",
        _ => $"rcode {rcode}",
    };

    public static DriverAnswer Fail(ResolveErrorKind kind, string reason) => new(ResolveResult.Fail(kind, reason), 0);
}
