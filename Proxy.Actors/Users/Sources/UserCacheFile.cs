namespace Proxy.Actors.Users.Sources;

/// <summary>
/// The group's <c>cache</c> file: the text of the last good fetch or publish, read at start so users
/// work before the first fetch (and when the source is down across a restart).
/// </summary>
public static class UserCacheFile
{
    /// <summary>Written to a temp file and renamed, so a crash never leaves half a cache.</summary>
    public static async Task WriteAsync(string path, string contents, CancellationToken ct)
    {
        var tmp = path + ".tmp";
        await File.WriteAllTextAsync(tmp, contents, ct).ConfigureAwait(false);
        File.Move(tmp, path, overwrite: true);
    }
}
