using System.Net;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Protocols.Http1;

public enum TargetForm { Absolute, Authority, Origin, Asterisk }

/// <summary>A request-target split into what the proxy routes on (RFC 9112 section 3.2).</summary>
public sealed record RequestTarget(TargetForm Form, string Scheme, UpstreamAddr? Upstream, string PathAndQuery, string Authority)
{
    /// <summary>Parses the target of one request; null when it is malformed (400).</summary>
    public static RequestTarget? Parse(string method, string target)
    {
        if (method == "CONNECT")
        {
            var addr = ParseAuthority(target, defaultPort: 0);
            return addr is null || addr.Port == 0 ? null : new RequestTarget(TargetForm.Authority, "", addr, "", target);
        }
        if (target == "*") return new RequestTarget(TargetForm.Asterisk, "", null, "*", "");
        if (target.StartsWith('/')) return new RequestTarget(TargetForm.Origin, "", null, target, "");

        var sep = target.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) return null;
        var scheme = target[..sep].ToLowerInvariant();
        foreach (var c in scheme)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')) return null;
        var rest = target[(sep + 3)..];
        var pathStart = rest.IndexOfAny(['/', '?', '#']);
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        var path = pathStart < 0 ? "/" : rest[pathStart..];
        if (path.StartsWith('?')) path = "/" + path;
        var hash = path.IndexOf('#');
        if (hash >= 0) path = path[..hash];
        // userinfo is deprecated for http(s) URIs (RFC 9110 4.2.4) and must never reach the origin.
        var at = authority.LastIndexOf('@');
        if (at >= 0) authority = authority[(at + 1)..];
        var defaultPort = scheme switch { "http" => 80, "https" => 443, "ftp" => 21, _ => 0 };
        var upstream = ParseAuthority(authority, defaultPort);
        if (upstream is null) return null;
        return new RequestTarget(TargetForm.Absolute, scheme, upstream, path, authority);
    }

    /// <summary>host[:port] with IPv6 literals in brackets; null when malformed.</summary>
    public static UpstreamAddr? ParseAuthority(string authority, int defaultPort)
    {
        if (authority.Length == 0) return null;
        string host;
        string? port = null;
        if (authority[0] == '[')
        {
            var close = authority.IndexOf(']');
            if (close < 0) return null;
            host = authority[1..close];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                return null;
            var after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':') return null;
                port = after[1..];
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            if (colon >= 0)
            {
                if (authority.IndexOf(':') != colon) return null; // bare IPv6 without brackets
                host = authority[..colon];
                port = authority[(colon + 1)..];
            }
            else
            {
                host = authority;
            }
            if (host.Length == 0 || host.Length > 255) return null;
            foreach (var c in host)
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_')) return null;
        }
        var p = defaultPort;
        if (port is not null)
        {
            if (port.Length == 0) p = defaultPort;
            else if (!int.TryParse(port, System.Globalization.NumberStyles.None, null, out p) || p is < 1 or > 65535) return null;
        }
        return new UpstreamAddr(host.ToLowerInvariant(), p);
    }
}
