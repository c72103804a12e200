namespace Proxy.Pbm;

/// <summary>
/// Files named in a command are read here, on the operator's machine, as g3proxy-ctl does:
/// <c>escaper NAME publish -f FILE</c> and <c>user-group NAME publish-user FILE</c> send the
/// file's text in place of its name.
/// </summary>
internal static class LocalFiles
{
    private const long MaxFileBytes = 1024 * 1024;

    /// <summary>
    /// The words with files read in. <c>--cluster</c> may stand anywhere: the file words are read as
    /// without it, and the node gets the flag first.
    /// </summary>
    public static (IReadOnlyList<string> Words, string? Error) Inline(IReadOnlyList<string> words)
    {
        const string fanOut = "--cluster";
        if (!words.Contains(fanOut)) return InlineOne(words);
        var (inlined, error) = InlineOne(words.Where(w => w != fanOut).ToList());
        return ([fanOut, .. inlined], error);
    }

    private static (IReadOnlyList<string> Words, string? Error) InlineOne(IReadOnlyList<string> words)
    {
        var w = words.ToArray();
        switch (w)
        {
            case ["escaper", var name, "publish", "-f", var file]:
            {
                var (text, error) = Read(file);
                return (["escaper", name, "publish", text ?? ""], error);
            }
            case ["escaper", _, "publish", "-f"]:
                return (w, "publish -f needs a FILE");
            case ["user-group", var name, "publish-user", var file]:
            {
                var (text, error) = Read(file);
                return (["user-group", name, "publish-user", text ?? ""], error);
            }
            default:
                return (w, null);
        }
    }

    private static (string? Text, string? Error) Read(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return (null, $"cannot read '{path}': no such file");
            if (info.Length > MaxFileBytes) return (null, $"'{path}' is larger than {MaxFileBytes} bytes");
            return (File.ReadAllText(path), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot read '{path}': {e.Message}");
        }
    }
}
