using Proxy.Actors.Config;
using Proxy.Control.Host;

namespace Proxy.Control.Commands;

/// <summary><c>list server|escaper|resolver|user-group|auditor</c>: names, one per line, as g3proxy-ctl prints them.</summary>
internal static class ListWord
{
    public static ControlReply Run(string kind, ProxyConfig config) =>
        ObjectNames.Of(config).TryGetValue(kind, out var names)
            ? ControlReply.Text(names)
            : ControlReply.Fail($"cannot list '{kind}' (one of: server, escaper, resolver, user-group, auditor)");
}
