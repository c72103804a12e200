using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.UserGroups;

/// <summary>Builds user group records (g3proxy/src/config/auth/group: basic, facts, ldap).</summary>
internal static class UserGroupParser
{
    private static KeyTable<UserGroupConfig> CommonKeys() => new KeyTable<UserGroupConfig>()
        .Skip("name|type")
        .On("static_users", (c, v, s) => c with { StaticUsers = StaticUsers(c, v, s) })
        .On("source", (c, v, s) => c with { Source = UserSourceParser.FromYaml(v, s) })
        .On("cache", (c, v, s) => c with { CacheFile = s.ResolvePath(YamlValue.String(v, "a file path")) })
        .On("refresh_interval", (c, v, _) => c with { RefreshInterval = Positive(HumanDuration.FromYaml(v), v) })
        .On("anonymous_user", (c, v, s) => c with { AnonymousUser = UserParser.Template(v, s, s.Entry, "anonymous_user") });

    private static readonly KeyTable<UserGroupConfig> BasicKeys = CommonKeys();

    private static readonly KeyTable<UserGroupConfig> LdapKeys = CommonKeys()
        .On("ldap_url", (c, v, _) => LdapUrl(Ldap(c), v))
        .On("username_attribute", (c, v, _) => Ldap(c) with { UsernameAttribute = NonEmpty(v, "an attribute name") })
        .On("tls_client", (c, v, s, _, k) => Ldap(c) with { TlsClient = TlsClientParser.FromYaml(v, s, k) })
        // libldap offers no separate verify name (its HostName option redirects the connection): not built
        .NotSupported("tls_name")
        .On("unmanaged_user", (c, v, s) => Ldap(c) with { UnmanagedUser = UserParser.Template(v, s, s.Entry, "unmanaged_user") })
        .On("max_message_size", (c, v, _) => Ldap(c) with { MaxMessageSize = YamlValue.Int32(v, 1) })
        .On("connect_timeout", (c, v, _) => Ldap(c) with { ConnectTimeout = HumanDuration.FromYaml(v) })
        .On("response_timeout", (c, v, _) => Ldap(c) with { ResponseTimeout = HumanDuration.FromYaml(v) })
        .On("connection_pool|pool", (c, v, _) => Ldap(c) with { ConnectionPool = Pool(v) })
        .On("queue_channel_size", (c, v, _) => Ldap(c) with { QueueChannelSize = YamlValue.Int32(v, 1) })
        .On("queue_wait_timeout", (c, v, _) => Ldap(c) with { QueueWaitTimeout = HumanDuration.FromYaml(v) })
        .On("cache_user_count", (c, v, _) => Ldap(c) with { CacheUserCount = YamlValue.Int32(v, 1) })
        .On("cache_expire_time", (c, v, _) => Ldap(c) with { CacheExpireTime = HumanDuration.FromYaml(v) });

    public static UserGroupConfig? Parse(KnownType type, string name, YamlMappingNode map, ConfigPosition position, EntryScope scope)
    {
        switch (type.Canonical)
        {
            case "basic": return BasicKeys.Apply(new BasicUserGroupConfig { Name = name, Position = position }, map, scope);
            case "facts": return BasicKeys.Apply(new FactsUserGroupConfig { Name = name, Position = position }, map, scope);
            case "ldap":
                var ldap = (LdapUserGroupConfig)LdapKeys.Apply(new LdapUserGroupConfig { Name = name, Position = position }, map, scope);
                if (ldap.Host.Length == 0) scope.Error(map, "ldap_url", "missing required key 'ldap_url'");
                return ldap;
            default:
                throw new InvalidOperationException($"no parser for user group type {type.Canonical}");
        }
    }

    private static LdapUserGroupConfig Ldap(UserGroupConfig c) => (LdapUserGroupConfig)c;

    private static IReadOnlyDictionary<string, UserConfig> StaticUsers(UserGroupConfig c, YamlNode v, EntryScope s)
    {
        if (v is not YamlSequenceNode seq) throw YamlValue.Expected("a list of users", v);
        var users = new Dictionary<string, UserConfig>(c.StaticUsers, StringComparer.Ordinal);
        var shared = new SharedUserRules();
        foreach (var item in seq.Children)
        {
            if (UserParser.Parse(item, s, s.Entry) is not { } parsed) continue;
            var user = shared.Share(parsed);
            if (!users.TryAdd(user.Name, user)) s.Error(item, "static_users", $"found duplicate entry for user '{user.Name}'");
        }
        return users;
    }

    /// <summary>ldap://host[:389]/base_dn or ldaps://host[:636]/base_dn (the DN percent-decoded).</summary>
    private static LdapUserGroupConfig LdapUrl(LdapUserGroupConfig c, YamlNode v)
    {
        var text = YamlValue.String(v, "an ldap:// or ldaps:// URL");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url)) throw new ConfigValueException($"invalid ldap url '{text}'", v);
        var direct = url.Scheme switch
        {
            "ldap" => false,
            "ldaps" => true,
            _ => throw new ConfigValueException($"unsupported ldap url scheme {url.Scheme}", v),
        };
        if (url.Host.Length == 0) throw new ConfigValueException($"no host found in ldap url {text}", v);
        var port = url.IsDefaultPort || url.Port < 0 ? (direct ? 636 : 389) : url.Port;
        var baseDn = Uri.UnescapeDataString(url.AbsolutePath.TrimStart('/'));
        return c with { Host = url.IdnHost.Trim('[', ']'), Port = port, DirectTls = direct, BaseDn = baseDn };
    }

    private static LdapPoolConfig Pool(YamlNode v)
    {
        var pool = LdapPoolConfig.Default;
        foreach (var (key, keyNode, value) in YamlValue.Entries(YamlValue.Map(v)))
        {
            pool = key switch
            {
                "check_interval" => pool with { CheckInterval = HumanDuration.FromYaml(value) },
                "max_idle_count" => pool with { MaxIdleCount = YamlValue.Int32(value) },
                "min_idle_count" => pool with { MinIdleCount = YamlValue.Int32(value) },
                "idle_timeout" => pool with { IdleTimeout = HumanDuration.FromYaml(value) },
                _ => throw YamlValue.UnknownKey(key, keyNode),
            };
        }
        return pool;
    }

    private static string NonEmpty(YamlNode v, string what) =>
        YamlValue.String(v, what) is { Length: > 0 } s ? s : throw YamlValue.Expected(what, v);

    private static TimeSpan Positive(TimeSpan t, YamlNode v) =>
        t > TimeSpan.Zero ? t : throw new ConfigValueException("must be positive", v);
}
