using Proxy.Actors.Config;
using Proxy.Actors.Config.UserGroups;
using Proxy.Tests.Config;

namespace Proxy.Tests.Users;

/// <summary>User groups written as an operator writes them, loaded through the real config loader.</summary>
internal static class GroupYaml
{
    /// <summary><paramref name="body"/> is the group's keys, indented by four spaces under <c>user_group:</c>.</summary>
    public static UserGroupConfig Load(string body)
    {
        using var dir = new TempConfigDir();
        dir.Write("main.yml", "user_group:\n  - name: g\n" + body);
        return ConfigLoader.Load(Path.Combine(dir.Root, "main.yml")).UserGroups.Single();
    }
}
