using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>g3's selective pick policy: how one item is picked from a weighted list.</summary>
public enum SelectivePickPolicy { Random, Serial, RoundRobin, Ketama, Rendezvous, JumpHash }

internal static class SelectivePickPolicyParser
{
    /// <summary>g3's spellings (case-insensitive): random, serial|sequence, round_robin|roundrobin|rr, ketama, rendezvous, jump|jumphash|jump_hash.</summary>
    public static SelectivePickPolicy FromYaml(YamlNode node)
    {
        var text = YamlValue.String(node, "a pick policy");
        return text.ToLowerInvariant() switch
        {
            "random" => SelectivePickPolicy.Random,
            "serial" or "sequence" => SelectivePickPolicy.Serial,
            "round_robin" or "roundrobin" or "rr" => SelectivePickPolicy.RoundRobin,
            "ketama" => SelectivePickPolicy.Ketama,
            "rendezvous" => SelectivePickPolicy.Rendezvous,
            "jump" or "jumphash" or "jump_hash" => SelectivePickPolicy.JumpHash,
            _ => throw new ConfigValueException($"unknown pick policy '{text}'", node),
        };
    }
}
