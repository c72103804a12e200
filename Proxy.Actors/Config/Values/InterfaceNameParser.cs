using System.Net.NetworkInformation;
using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's interface name: a name, or an index (looked up to its name here). A name is only checked for
/// shape: an interface that does not exist fails each socket bound to it, naming it, as an absent
/// device would after a reload.
/// </summary>
internal static class InterfaceNameParser
{
    /// <summary>A Linux interface name: 1 to 15 bytes (IFNAMSIZ), no '/' or whitespace.</summary>
    public static string FromYaml(YamlNode v)
    {
        if (YamlValue.IsInteger(v))
        {
            var index = (int)YamlValue.Integer(v, 1, uint.MaxValue, "an interface index");
            return NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(i => Index(i) == index)?.Name
                ?? throw new ConfigValueException($"no network interface has index {index}", v);
        }
        var name = YamlValue.String(v, "an interface name");
        return name.Length is > 0 and < 16 && !name.Any(ch => ch == '/' || char.IsWhiteSpace(ch) || ch > 0x7E)
            ? name
            : throw new ConfigValueException($"invalid interface name '{name}'", v);
    }

    private static int? Index(NetworkInterface i)
    {
        try
        {
            var ip = i.GetIPProperties();
            return i.Supports(NetworkInterfaceComponent.IPv4) ? ip.GetIPv4Properties()?.Index : ip.GetIPv6Properties()?.Index;
        }
        catch (NetworkInformationException)
        {
            return null;
        }
    }
}
