using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>g3's socket buffer config: receive and send buffer sizes; null leaves the OS default.</summary>
public sealed record SocketBufferConfig(int? Recv, int? Send)
{
    /// <summary>A size sets both; a map sets <c>recv</c> and/or <c>send</c>.</summary>
    internal static SocketBufferConfig FromYaml(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            var both = HumanSize.FromYamlInt32(node);
            return new SocketBufferConfig(both, both);
        }
        var result = new SocketBufferConfig(null, null);
        foreach (var (key, k, value) in YamlValue.Entries(map))
        {
            result = key switch
            {
                "recv" => result with { Recv = HumanSize.FromYamlInt32(value) },
                "send" => result with { Send = HumanSize.FromYamlInt32(value) },
                _ => throw YamlValue.UnknownKey(key, k),
            };
        }
        return result;
    }

    /// <summary>Applies the sizes set (the kernel may round them).</summary>
    public void ApplyTo(System.Net.Sockets.Socket socket)
    {
        if (Recv is { } r) socket.ReceiveBufferSize = r;
        if (Send is { } s) socket.SendBufferSize = s;
    }
}
