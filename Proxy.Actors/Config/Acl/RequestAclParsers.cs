using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Acl;

/// <summary>g3's proxy_request_filter and http_user_agent_filter (lib/g3-yaml value/acl/proxy_request.rs, user_agent.rs).</summary>
internal static class RequestAclParsers
{
    public static ProxyRequestAclRule ProxyRequest(YamlNode node)
    {
        var parsed = AclRuleReader.Read(node);
        var types = new Dictionary<ProxyRequestType, AclAction>();
        foreach (var (action, record) in parsed.Records) types[RequestType(record)] = action; // later wins, as g3's map insert
        return new ProxyRequestAclRule(types, parsed.Default);
    }

    public static UserAgentAclRule UserAgent(YamlNode node)
    {
        var parsed = AclRuleReader.Read(node, found: AclAction.Forbid, missed: AclAction.Permit);
        var names = new Dictionary<string, AclAction>(StringComparer.Ordinal);
        foreach (var (action, record) in parsed.Records)
        {
            var name = YamlValue.String(record, "a user-agent product name");
            if (name.Length == 0 || !name.All(char.IsAscii)) throw new ConfigValueException($"user-agent name '{name}' must be non-empty ASCII", record);
            names[name.ToLowerInvariant()] = action;
        }
        // g3 keeps names in a sorted map and takes the first that matches; keep that order
        return new UserAgentAclRule(names.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => (n.Key, n.Value)).ToList(), parsed.Default);
    }

    private static ProxyRequestType RequestType(YamlNode node) =>
        YamlValue.String(node, "a proxy request type").ToLowerInvariant() switch
        {
            "httpforward" or "http_forward" => ProxyRequestType.HttpForward,
            "httpsforward" or "https_forward" => ProxyRequestType.HttpsForward,
            "ftpoverhttp" or "ftp_over_http" => ProxyRequestType.FtpOverHttp,
            "httpconnect" or "http_connect" => ProxyRequestType.HttpConnect,
            "sockstcpconnect" or "socks_tcp_connect" => ProxyRequestType.SocksTcpConnect,
            "socksudpassociate" or "socks_udp_associate" => ProxyRequestType.SocksUdpAssociate,
            _ => throw YamlValue.Expected("a proxy request type (HttpForward, HttpsForward, FtpOverHttp, HttpConnect, SocksTcpConnect, SocksUdpAssociate)", node),
        };
}
