using Proxy.Actors.Servers.HttpCommon;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpProxy.Ftp;

/// <summary>
/// The FTP login of an ftp:// request, as g3 takes it: <c>user:password@</c> in the URI
/// (percent-decoded), replaced by an <c>Authorization: Basic</c> header when the request has one.
/// Neither: g3's anonymous login.
/// </summary>
internal static class FtpCredentials
{
    public static (string? User, string? Password) From(string absoluteUri, string? authorization)
    {
        if (authorization is not null && BasicAuth.TryParse(authorization, out var basic) == BasicAuthParse.Ok)
            return (basic.Username, basic.Password);
        if (UserInfo(absoluteUri) is not { } info) return (null, null);
        var colon = info.IndexOf(':');
        return colon < 0
            ? (FtpRequestPath.Decode(info), null)
            : (FtpRequestPath.Decode(info[..colon]), FtpRequestPath.Decode(info[(colon + 1)..]));
    }

    /// <summary>The URI for the task log, without the password (the user name stays).</summary>
    public static string? MaskPassword(string? uri)
    {
        if (uri is null || UserInfo(uri) is not { } info) return uri;
        var colon = info.IndexOf(':');
        if (colon < 0) return uri;
        var start = uri.IndexOf("://", StringComparison.Ordinal) + 3;
        return string.Concat(uri.AsSpan(0, start), info.AsSpan(0, colon), uri.AsSpan(start + info.Length));
    }

    private static string? UserInfo(string uri)
    {
        var sep = uri.IndexOf("://", StringComparison.Ordinal);
        if (sep < 0) return null;
        var rest = uri.AsSpan(sep + 3);
        var end = rest.IndexOfAny('/', '?', '#');
        var authority = end < 0 ? rest : rest[..end];
        var at = authority.LastIndexOf('@');
        return at < 0 ? null : authority[..at].ToString();
    }
}
