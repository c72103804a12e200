using System.Net;
using System.Net.Sockets;

namespace Proxy.Actors.Resolvers;

/// <summary>
/// What a resolver answers without asking a DNS server: bad input, IP literals (g3 does the same),
/// and the names RFC 6761 section 6.3 reserves for loopback (<c>localhost</c> and anything under
/// <c>.localhost</c>), so a server that says NXDOMAIN for them cannot turn a local target into a 530.
/// The escaper's egress filter still decides whether loopback may be reached.
/// </summary>
internal static class LocalAnswer
{
    public static bool TryAnswer(string host, AddressFamily family, out ResolveResult result)
    {
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            result = ResolveResult.Fail(ResolveErrorKind.Malformed, $"unsupported address family {family}");
            return true;
        }
        if (string.IsNullOrWhiteSpace(host))
        {
            result = ResolveResult.Fail(ResolveErrorKind.Malformed, "empty host name");
            return true;
        }
        if (IPAddress.TryParse(host.AsSpan().Trim("[]"), out var ip))
        {
            if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
            result = ip.AddressFamily == family
                ? new ResolveResult([ip], ResolveErrorKind.None)
                : ResolveResult.Fail(ResolveErrorKind.NoRecord, $"{host} is not an {FamilyName(family)} address");
            return true;
        }
        if (IsLocalhost(host))
        {
            result = new ResolveResult([family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback],
                ResolveErrorKind.None);
            return true;
        }
        result = null!;
        return false;
    }

    /// <summary><c>localhost</c>, <c>x.localhost</c>, in any case, with or without the root dot.</summary>
    public static bool IsLocalhost(string host)
    {
        var name = host.AsSpan().TrimEnd('.');
        const string label = "localhost";
        if (!name.EndsWith(label, StringComparison.OrdinalIgnoreCase)) return false;
        return name.Length == label.Length || name[^(label.Length + 1)] == '.';
    }

    public static string FamilyName(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
}
