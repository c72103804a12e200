namespace Proxy.Tests.Config;

/// <summary>A fresh temp directory per test, so config tests share nothing.</summary>
internal sealed class TempConfigDir : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("g3cfg-").FullName;

    public string Write(string relativePath, string text)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
