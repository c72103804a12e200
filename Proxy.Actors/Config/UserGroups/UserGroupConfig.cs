using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.UserGroups;

/// <summary>
/// g3's user group (g3proxy/src/config/auth/group): static users, an optional dynamic source with its
/// cache file, the refresh interval (also the expiry-check period) and the anonymous user.
/// </summary>
public abstract record UserGroupConfig
{
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromSeconds(60);

    public required string Name { get; init; }
    public required ConfigPosition Position { get; init; }
    public abstract string TypeName { get; }
    /// <summary>By name; a static user shadows a dynamic one of the same name.</summary>
    public IReadOnlyDictionary<string, UserConfig> StaticUsers { get; init; } = new Dictionary<string, UserConfig>();
    public UserSourceConfig? Source { get; init; }
    /// <summary>Where the last good dynamic set is written and read at start; null = no cache.</summary>
    public string? CacheFile { get; init; }
    public TimeSpan RefreshInterval { get; init; } = DefaultRefreshInterval;
    /// <summary>Used when no credentials are given or the name is unknown; its password is never checked.</summary>
    public UserConfig? AnonymousUser { get; init; }
}

/// <summary>g3's <c>basic</c> group: username and password.</summary>
public sealed record BasicUserGroupConfig : UserGroupConfig
{
    public override string TypeName => "basic";
}

/// <summary>g3's <c>facts</c> group: the user is chosen by connection facts (<c>match_by_facts</c>).</summary>
public sealed record FactsUserGroupConfig : UserGroupConfig
{
    public override string TypeName => "facts";
}

/// <summary>g3's <c>ldap</c> group: passwords checked by a simple bind as <c>username_attribute=NAME,base_dn</c>.</summary>
public sealed record LdapUserGroupConfig : UserGroupConfig
{
    public override string TypeName => "ldap";
    public string Host { get; init; } = "";
    public int Port { get; init; } = 389;
    /// <summary>ldaps:// (TLS from the first byte); ldap:// with tls_client means STARTTLS.</summary>
    public bool DirectTls { get; init; }
    public TlsClientConfig? TlsClient { get; init; }
    public string BaseDn { get; init; } = "";
    public string UsernameAttribute { get; init; } = "uid";
    /// <summary>Template for users LDAP accepts that no static or dynamic entry lists; null = only listed users.</summary>
    public UserConfig? UnmanagedUser { get; init; }
    public int MaxMessageSize { get; init; } = 256;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(4);
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public LdapPoolConfig ConnectionPool { get; init; } = LdapPoolConfig.Default;
    public int QueueChannelSize { get; init; } = 64;
    public TimeSpan QueueWaitTimeout { get; init; } = TimeSpan.FromSeconds(4);
    public int CacheUserCount { get; init; } = 128;
    public TimeSpan CacheExpireTime { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>g3's connection pool config (lib/g3-types net/pool.rs) as the ldap group uses it.</summary>
public sealed record LdapPoolConfig(TimeSpan CheckInterval, int MaxIdleCount, int MinIdleCount, TimeSpan IdleTimeout)
{
    public static readonly LdapPoolConfig Default = new(TimeSpan.FromSeconds(10), 1024, 8, TimeSpan.FromMinutes(5));
}

public enum UserFileFormat { Yaml, Json }

/// <summary>A dynamic user source (g3proxy/src/config/auth/source).</summary>
public abstract record UserSourceConfig;

/// <summary><c>{type: file, path, format}</c> or <c>file:///path?format=json</c>: the file holds the users.</summary>
public sealed record FileUserSourceConfig(string Path, UserFileFormat Format) : UserSourceConfig;

/// <summary><c>{type: lua, fetch_script, fetch_timeout, report_script, report_timeout}</c>: the script returns the users JSON.</summary>
public sealed record LuaUserSourceConfig(string FetchScript, TimeSpan FetchTimeout, string? ReportScript, TimeSpan ReportTimeout) : UserSourceConfig;

/// <summary><c>{type: python, script, fetch_timeout, report_timeout}</c>: <c>fetch_users()</c> returns the users JSON.</summary>
public sealed record PythonUserSourceConfig(string Script, TimeSpan FetchTimeout, TimeSpan ReportTimeout) : UserSourceConfig;
