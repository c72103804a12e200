using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Escapers;

/// <summary>
/// proxy_float's redis source (g3proxy/src/config/escaper/proxy_float/source/redis.rs and
/// lib/g3-redis-client): the peers are the JSON members of the set <see cref="SetsKey"/>.
/// </summary>
public sealed record ProxyFloatRedisSource
{
    public const int DefaultPort = 6379;
    public UpstreamAddr Addr { get; init; } = new("127.0.0.1", DefaultPort);
    public long Db { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public string SetsKey { get; init; } = "";
    /// <summary>tls_client (g3 1.9.7): TLS to the redis server when set.</summary>
    public TlsClientConfig? TlsClient { get; init; }
    /// <summary>tls_name: the name the server certificate is checked against (default: the addr's host).</summary>
    public string? TlsName { get; init; }

    /// <summary>
    /// A <c>redis://[user[:password]@]host[:port][/db][?key=value...]</c> url, or a map with <c>type: redis</c>.
    /// As g3, TLS is set by <c>tls_client</c> (a map, so in the map form only); there is no <c>rediss://</c> scheme.
    /// </summary>
    internal static ProxyFloatRedisSource FromYaml(YamlNode node, EntryScope scope)
    {
        var source = node is YamlMappingNode map ? FromMap(map, scope) : FromUrl(YamlValue.String(node, "a source url"), node, scope);
        return source.SetsKey.Length > 0 ? source : throw new ConfigValueException("redis source: no sets_key set", node);
    }

    private static ProxyFloatRedisSource FromMap(YamlMappingNode map, EntryScope scope)
    {
        var c = new ProxyFloatRedisSource();
        foreach (var (key, k, v) in YamlValue.Entries(map)) c = c.Set(key, k, v, scope);
        return c;
    }

    private static ProxyFloatRedisSource FromUrl(string text, YamlNode at, EntryScope scope)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Host.Length == 0)
            throw new ConfigValueException($"invalid redis source url '{text}'", at);
        var c = new ProxyFloatRedisSource { Addr = new UpstreamAddr(url.IdnHost.Trim('[', ']'), url.IsDefaultPort || url.Port < 0 ? DefaultPort : url.Port) };
        var db = url.AbsolutePath.TrimStart('/');
        if (db.Length > 0)
            c = c with { Db = long.TryParse(db, out var n) ? n : throw new ConfigValueException("the path should be a valid redis db number", at) };
        if (url.UserInfo.Length > 0)
        {
            var parts = url.UserInfo.Split(':', 2);
            var user = Uri.UnescapeDataString(parts[0]);
            c = c with { Username = user.Length > 0 ? user : null, Password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null };
        }
        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = YamlKey.Normalize(Uri.UnescapeDataString(kv[0]));
            try
            {
                c = c.Set(key, at, new YamlScalarNode(kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : ""), scope);
            }
            catch (ConfigValueException e)
            {
                // the made-up node has no position: point at the url
                throw new ConfigValueException($"query param {key}: {e.Message}", at);
            }
        }
        return c;
    }

    private ProxyFloatRedisSource Set(string key, YamlNode keyNode, YamlNode v, EntryScope scope) => key switch
    {
        "type" => this,
        "sets_key" => this with { SetsKey = YamlValue.String(v, "a redis key") },
        "addr" or "address" => this with { Addr = WeightedParser.Upstream(v, DefaultPort) },
        "db" => this with { Db = YamlValue.Integer(v, 0) },
        "username" => this with { Username = YamlValue.String(v) },
        "password" => this with { Password = YamlValue.String(v) },
        "connect_timeout" => this with { ConnectTimeout = HumanDuration.FromYaml(v) },
        "response_timeout" or "read_timeout" => this with { ResponseTimeout = HumanDuration.FromYaml(v) },
        "tls" or "tls_client" => this with { TlsClient = TlsClientParser.FromYaml(v, scope, keyNode) },
        "tls_name" => this with { TlsName = YamlValue.String(v, "a tls name") },
        _ => throw YamlValue.UnknownKey(key, keyNode),
    };
}
