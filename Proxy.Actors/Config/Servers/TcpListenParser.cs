using System.Net;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Servers;

/// <summary>
/// g3's tcp listen value: a port, <c>"ip:port"</c>, or a map. <c>scale</c> becomes a listener count
/// relative to the CPU count, as g3 computes <c>instance</c> from it.
/// </summary>
internal static class TcpListenParser
{
    public static TcpListenConfig FromYaml(YamlNode node, EntryScope scope)
    {
        if (YamlValue.IsInteger(node))
            return new TcpListenConfig { Address = new IPEndPoint(IPAddress.IPv6Any, YamlValue.Int32(node, 0, 65535)) };
        if (node is not YamlMappingNode map)
            return new TcpListenConfig { Address = RequirePort(SockAddrParser.FromYaml(node, -1), node) };

        var result = new TcpListenConfig { Address = new IPEndPoint(IPAddress.IPv6Any, 0) };
        foreach (var (key, k, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "addr" or "address":
                    result = result with { Address = RequirePort(SockAddrParser.FromYaml(value, -1), value) };
                    break;
                case "backlog": result = result with { Backlog = YamlValue.Int32(value, 1) }; break;
                case "ipv6_only" or "ipv6only": result = result with { Ipv6Only = YamlValue.Bool(value) }; break;
                case "instance" or "instance_count": result = result with { Instance = YamlValue.Int32(value, 1, 1024) }; break;
                case "scale": result = result with { Instance = Scale(value) }; break;
                case "follow_cpu_affinity": scope.NoEffect(k, "listen.follow_cpu_affinity"); break;
                case "interface": result = result with { Interface = InterfaceNameParser.FromYaml(value) }; break;
                case "keepalive": result = result with { Keepalive = TcpKeepaliveParser.FromYaml(value) }; break;
                case "max_segment_size" or "mss": result = result with { MaxSegmentSize = MiscSockOptsParser.U16(value) }; break;
                case "netfilter_mark" or "fwmark" or "mark": result = result with { NetfilterMark = MiscSockOptsParser.U32(value) }; break;
                default: throw YamlValue.UnknownKey(key, k);
            }
        }
        return result;
    }

    private static IPEndPoint RequirePort(IPEndPoint ep, YamlNode at) =>
        ep.Port >= 0 ? ep : throw new ConfigValueException($"listen address '{ep.Address}' has no port", at);

    /// <summary><c>0.5</c>, <c>"50%"</c> or <c>"1/2"</c> of the CPUs, at least one listener.</summary>
    private static int Scale(YamlNode node)
    {
        double ratio;
        if (YamlValue.IsFloat(node)) ratio = YamlValue.Float(node);
        else
        {
            var text = YamlValue.String(node, "a scale (0.5, \"50%\" or \"1/2\")").Trim();
            var parts = text.Split('/');
            if (text.EndsWith('%') && double.TryParse(text[..^1], System.Globalization.CultureInfo.InvariantCulture, out var pct)) ratio = pct / 100;
            else if (parts.Length == 2 && double.TryParse(parts[0], out var n) && double.TryParse(parts[1], out var d) && d > 0) ratio = n / d;
            else throw YamlValue.Expected("a scale (0.5, \"50%\" or \"1/2\")", node);
        }
        if (ratio < 0) throw new ConfigValueException("scale cannot be negative", node);
        return Math.Max(1, (int)Math.Round(Environment.ProcessorCount * ratio));
    }
}
