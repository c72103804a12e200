using System.Net;
using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>Socket addresses and IPs as g3 writes them (<c>ip</c>, <c>ip:port</c>, <c>[v6]:port</c>, <c>$ENV</c>).</summary>
internal static class SockAddrParser
{
    /// <summary>An address with the port optional (<paramref name="defaultPort"/> used when absent).</summary>
    public static IPEndPoint Parse(string text, int defaultPort, YamlNode at)
    {
        text = text.Trim();
        if (text.StartsWith('$'))
            text = Environment.GetEnvironmentVariable(text[1..])
                   ?? throw new ConfigValueException($"environment variable '{text[1..]}' is not set", at);
        if (IsPlainIp(text.Trim('[', ']'), out var ip) && (!text.Contains(']') || text.EndsWith(']')))
            return new IPEndPoint(ip, defaultPort);
        var colon = text.LastIndexOf(':');
        return colon > 0 && IsPlainIp(text[..colon].Trim('[', ']'), out _) && IPEndPoint.TryParse(text, out var ep)
            ? ep
            : throw new ConfigValueException($"invalid socket address '{text}'", at);
    }

    /// <summary>IPAddress.TryParse also takes "10086" or "1.2" (inet_aton forms); g3 takes dotted quads and v6 only.</summary>
    private static bool IsPlainIp(string text, out IPAddress ip) =>
        IPAddress.TryParse(text, out ip!) && (text.Contains(':') || text.Count(c => c == '.') == 3);

    public static IPEndPoint FromYaml(YamlNode node, int defaultPort) =>
        Parse(YamlValue.String(node, "a socket address"), defaultPort, node);

    public static IPAddress Ip(YamlNode node)
    {
        var text = YamlValue.String(node, "an IP address");
        return IsPlainIp(text.Trim('[', ']'), out var ip) ? ip : throw new ConfigValueException($"invalid IP address '{text}'", node);
    }

    public static IReadOnlyList<IPAddress> IpList(YamlNode node) => YamlValue.List(node).Select(Ip).ToList();
}
