namespace Proxy.Actors.Config.Acl;

/// <summary>g3's proxy request types, what <c>proxy_request_filter</c> matches on.</summary>
public enum ProxyRequestType { HttpForward, HttpsForward, FtpOverHttp, HttpConnect, SocksTcpConnect, SocksUdpAssociate }

/// <summary>g3's <c>proxy_request_filter</c>: an action per request type, the default for the rest (forbid).</summary>
public sealed record ProxyRequestAclRule(IReadOnlyDictionary<ProxyRequestType, AclAction> Types, AclAction Default)
{
    public AclAction Check(ProxyRequestType type) => Types.TryGetValue(type, out var a) ? a : Default;
}
