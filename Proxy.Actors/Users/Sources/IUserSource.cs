using Proxy.Actors.Config.UserGroups;

namespace Proxy.Actors.Users.Sources;

/// <summary>What one fetch of dynamic users gave: the raw text (written to the cache) and the users, or why not.</summary>
public sealed record UserFetch(string? Contents, IReadOnlyList<UserConfig> Users, string? Error)
{
    public bool Ok => Error is null;
    public static UserFetch Failed(string error) => new(null, [], error);
}

/// <summary>A dynamic user source (file, lua, python). Every fetch is bounded by the source's timeout and <c>ct</c>.</summary>
public interface IUserSource
{
    Task<UserFetch> FetchAsync(CancellationToken ct);
}

/// <summary>Turns fetched text into users, as every source does after getting it.</summary>
internal static class UserFetchParser
{
    /// <summary>Users files and script results are bounded: a runaway source cannot exhaust memory.</summary>
    public const int MaxContentsBytes = 64 << 20;

    public static UserFetch Parse(string contents, string origin, string group)
    {
        var parsed = DynamicUsersParser.Parse(contents, origin, group);
        return parsed.Ok ? new UserFetch(contents, parsed.Users, null) : UserFetch.Failed(parsed.ErrorText);
    }

    public static async Task<string> ReadBoundedAsync(string path, CancellationToken ct)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.Length > MaxContentsBytes) throw new IOException($"{path} is larger than {MaxContentsBytes} bytes");
        return await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
    }
}
