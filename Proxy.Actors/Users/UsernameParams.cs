using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;

namespace Proxy.Actors.Users;

/// <summary>The outcome of reading a username's <c>+key=value</c> params: a next proxy, none, or why the name is refused.</summary>
public readonly record struct UsernameParamsResult(EgressUpstream? Upstream, string? Error)
{
    public bool Ok => Error is null;
}

/// <summary>g3's username_params grammar (reference section 4.8), on a configured <see cref="UsernameParamsConfig"/>.</summary>
public static class UsernameParams
{
    /// <summary>The name the user group checks: the part before the first '+' when strip_suffix_for_auth is on.</summary>
    public static string RealUsername(this UsernameParamsConfig config, string raw)
    {
        if (!config.StripSuffixForAuth) return raw;
        var plus = raw.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? raw : raw[..plus];
    }

    /// <summary>The next proxy <c>host[suffix]:port</c> derived from <paramref name="raw"/>; <paramref name="port"/> is the inbound protocol's (http_port or socks5_port).</summary>
    public static UsernameParamsResult ParseEgressUpstream(this UsernameParamsConfig config, string raw, int port)
    {
        var plus = raw.IndexOf('+', StringComparison.Ordinal);
        if (plus < 0) return default;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var parts = raw[(plus + 1)..].Split('+');
        for (var i = 0; i < parts.Length; i++)
        {
            var param = parts[i];
            // Only a trailing '+' may leave an empty param, as g3 reads the list.
            if (param.Length == 0 && i == parts.Length - 1) continue;
            var eq = param.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0) return Refused($"no '=' in username param '{param}'");
            var (k, v) = (param[..eq], param[(eq + 1)..]);
            if (k.Length == 0 || v.Length == 0) return Refused($"empty field in username param '{param}'");
            if (config.RejectUnknownKeys && !config.IsKnownKey(k)) return Refused($"unknown username param '{param}'");
            if (!values.TryAdd(k, v))
            {
                if (config.RejectDuplicateKeys) return Refused($"duplicate key in username param '{param}'");
                values[k] = v;
            }
        }
        if (values.Count == 0) return default;

        if (config.RequireHierarchy)
        {
            var missing = false;
            foreach (var key in config.KeysForHost)
            {
                if (config.FloatingKeys.Contains(key, StringComparer.Ordinal)) continue;
                if (!values.ContainsKey(key)) missing = true;
                else if (missing) return Refused($"key '{key}' requires its ancestor keys to be present");
            }
        }

        var host = string.Join(config.Separator, config.KeysForHost.Where(values.ContainsKey).Select(k => values[k]));
        if (host.Length == 0) return default;
        var sticky = config.ResolveStickyKey.Length > 0 ? values.GetValueOrDefault(config.ResolveStickyKey, "") : "";
        host += config.DomainSuffix;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            host = "127.0.0.1";
        else if (Uri.CheckHostName(host) is UriHostNameType.Unknown or UriHostNameType.Basic)
            return Refused($"'{host}' from the username params is not a host name");
        return new UsernameParamsResult(new EgressUpstream(new UpstreamAddr(host, port), sticky), null);
    }

    private static UsernameParamsResult Refused(string why) => new(null, why);
}
