using Akka.Actor;

namespace Proxy.Control.Fleet;

/// <summary>
/// Members as an operator writes them: <c>HOST:PORT</c> (every member's system is G3Actors, so that
/// is unambiguous) or the full <c>akka.tcp://G3Actors@HOST:PORT</c>.
/// </summary>
internal static class MemberAddress
{
    public static string Show(Address address) => $"{address.Host}:{address.Port}";

    /// <summary>The member among <paramref name="members"/> that <paramref name="text"/> names, or why none.</summary>
    public static (Address? Address, string? Error) Find(string text, IEnumerable<Address> members)
    {
        if (!TryParse(text, out var host, out var port))
            return (null, $"invalid member address '{text}' (HOST:PORT or akka.tcp://G3Actors@HOST:PORT)");
        var all = members.ToList();
        var found = all.FirstOrDefault(a => string.Equals(a.Host, host, StringComparison.OrdinalIgnoreCase) && a.Port == port);
        return found is not null
            ? (found, null)
            : (null, $"no cluster member at {host}:{port} (members: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(Show).Order(StringComparer.Ordinal)))})");
    }

    private static bool TryParse(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        if (text.Contains("://", StringComparison.Ordinal))
        {
            try
            {
                var a = Address.Parse(text);
                if (a.Host is null || a.Port is not { } p) return false;
                (host, port) = (a.Host, p);
                return true;
            }
            catch (UriFormatException)
            {
                return false;
            }
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out port) || port is <= 0 or > 65535) return false;
        host = text[..colon].Trim('[', ']');
        return host.Length > 0;
    }
}
