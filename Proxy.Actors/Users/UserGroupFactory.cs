using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Users.Ldap;
using Proxy.Actors.Users.Sources;

namespace Proxy.Actors.Users;

/// <summary>Builds a group's handle and its dynamic source from the config.</summary>
public static class UserGroupFactory
{
    public static IUserGroup Create(UserGroupConfig config, UserTable users, TimeProvider time) =>
        config switch
        {
            LdapUserGroupConfig ldap => new LdapUserGroup(ldap, users, new LdapAuthenticator(ldap, time)),
            _ => new BasicUserGroup(config, users),
        };

    /// <summary>The same group (and its LDAP pool) over a new user table.</summary>
    public static IUserGroup WithUsers(IUserGroup group, UserTable users) =>
        group switch
        {
            LdapUserGroup ldap => ldap.WithUsers(users),
            BasicUserGroup basic => new BasicUserGroup(basic.Config, users),
            _ => throw new ArgumentException($"unknown user group type {group.GetType().Name}", nameof(group)),
        };

    public static IUserSource? Source(UserGroupConfig config) =>
        config.Source switch
        {
            FileUserSourceConfig f => new FileUserSource(f, config.Name),
            LuaUserSourceConfig l => new LuaUserSource(l, config.Name),
            PythonUserSourceConfig p => new PythonUserSource(p, config.Name),
            _ => null,
        };

    /// <summary>
    /// Where the users come from before the first fetch: the file itself for a file source, the cache file
    /// for a script source (as g3's load_initial_users).
    /// </summary>
    public static string? InitialFile(UserGroupConfig config) =>
        config.Source switch
        {
            FileUserSourceConfig f => f.Path,
            LuaUserSourceConfig or PythonUserSourceConfig => config.CacheFile,
            _ => null,
        };

    /// <summary>The group a dangling name gets, as g3: no users, so every authentication fails.</summary>
    public static IUserGroup Empty(string name, TimeProvider time)
    {
        var config = new BasicUserGroupConfig { Name = name, Position = new Config.ConfigPosition("", 0) };
        return new BasicUserGroup(config, UserTable.Create(config, time));
    }
}
