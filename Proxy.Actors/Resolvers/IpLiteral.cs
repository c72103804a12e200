using System.Net;
using System.Net.Sockets;

namespace Proxy.Actors.Resolvers;

/// <summary>Hosts that are already addresses never reach DNS (g3 does the same).</summary>
internal static class IpLiteral
{
    public static bool TryResolve(string host, AddressFamily family, out ResolveResult result)
    {
        if (!IPAddress.TryParse(host.AsSpan().Trim("[]"), out var ip))
        {
            result = null!;
            return false;
        }
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        result = ip.AddressFamily == family
            ? new ResolveResult([ip], ResolveErrorKind.None)
            : ResolveResult.Fail(ResolveErrorKind.NotFound, $"{host} is not an {FamilyName(family)} address");
        return true;
    }

    public static string FamilyName(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
}
