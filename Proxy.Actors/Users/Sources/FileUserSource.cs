using Proxy.Actors.Config.UserGroups;

namespace Proxy.Actors.Users.Sources;

/// <summary>g3's file source: the whole file (JSON or YAML) is the dynamic user set, re-read every refresh.</summary>
public sealed class FileUserSource(FileUserSourceConfig config, string group) : IUserSource
{
    public async Task<UserFetch> FetchAsync(CancellationToken ct)
    {
        string contents;
        try { contents = await UserFetchParser.ReadBoundedAsync(config.Path, ct).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return UserFetch.Failed($"failed to read in file {config.Path}: {e.Message}");
        }
        return UserFetchParser.Parse(contents, config.Path, group);
    }
}
