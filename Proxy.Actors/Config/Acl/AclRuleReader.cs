using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Acl;

/// <summary>
/// g3's generic ACL rule syntax (lib/g3-yaml value/acl/mod.rs): a map of action → record(s) plus
/// <c>default</c>, or the shorthand of a bare record or list, which permits only those records.
/// Record parsing is left to the caller; the missed action defaults to forbid for every g3 rule.
/// </summary>
internal static class AclRuleReader
{
    public sealed record Parsed(IReadOnlyList<(AclAction Action, YamlNode Record)> Records, AclAction Default);

    /// <summary>
    /// <paramref name="found"/> is the action of shorthand records and <paramref name="missed"/> the
    /// default: permit/forbid for most rules, forbid/permit for g3's user-agent rule.
    /// </summary>
    public static Parsed Read(YamlNode node, AclAction found = AclAction.Permit, AclAction missed = AclAction.Forbid)
    {
        var records = new List<(AclAction, YamlNode)>();
        if (node is YamlMappingNode map)
        {
            foreach (var (key, keyNode, value) in YamlValue.Entries(map))
            {
                if (key == "default")
                {
                    missed = ParseAction(YamlValue.String(value, "an ACL action"), value);
                    continue;
                }
                var action = ParseAction(key, keyNode);
                foreach (var item in YamlValue.List(value)) records.Add((action, item));
            }
        }
        else
        {
            foreach (var item in YamlValue.List(node)) records.Add((found, item));
        }
        return new Parsed(records, missed);
    }

    /// <summary>g3's AclAction names with their aliases, case and '-' insensitive.</summary>
    public static AclAction ParseAction(string text, YamlNode at) =>
        YamlKey.Normalize(text) switch
        {
            "permit" or "allow" or "accept" => AclAction.Permit,
            "permit_log" or "allow_log" or "accept_log" => AclAction.PermitLog,
            "forbid" or "deny" or "reject" => AclAction.Forbid,
            "forbid_log" or "deny_log" or "reject_log" => AclAction.ForbidLog,
            _ => throw new ConfigValueException(
                $"'{text}' is not an ACL action (permit, allow, accept, forbid, deny, reject, with or without _log, or default)", at),
        };
}
