using System.Text;

namespace Proxy.Actors.Escapers;

/// <summary>
/// The key g3 hashes for ketama, rendezvous and jump hash picks (proxy_addr, next_nodes):
/// <c>&lt;client-ip&gt;[-&lt;username&gt;]-&lt;upstream-host&gt;</c>.
/// </summary>
internal static class SelectionKey
{
    public static string For(EscapeRequest request)
    {
        var key = new StringBuilder(64);
        key.Append(request.ClientAddr?.Address.ToString());
        if (request.UserName is { } user) key.Append('-').Append(user);
        return key.Append('-').Append(request.Target.Host).ToString();
    }
}
