using Proxy.Actors.Config;

namespace Proxy.Tests.Config;

/// <summary>Every published g3proxy example loads, or fails only with "not supported yet: " errors.</summary>
public sealed class G3ExamplesTests
{
    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        var root = FindExamplesRoot();
        if (root is null) return data;
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(dir));
        return data;
    }

    /// <summary>CI clones the repo with shared/ beside it; a dev box may have it inside.</summary>
    internal static string? FindExamplesRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "compat", "g3proxy-examples"),
                                              Path.Combine(dir.FullName, "..", "shared", "compat", "g3proxy-examples") })
                if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return null;
    }

    [Fact]
    public void ExamplesFolder_IsFound() => Assert.NotNull(FindExamplesRoot());

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_LoadsOrIsOnlyNotSupportedYet(string example)
    {
        var dir = Path.Combine(FindExamplesRoot()!, example);
        try
        {
            var config = ConfigLoader.Load(dir);
            Assert.NotEmpty(config.Servers);
        }
        catch (ConfigException e)
        {
            var others = e.Errors.Where(x => !x.Message.Contains("not supported yet: ")).ToList();
            Assert.True(others.Count == 0, string.Join("\n", others));
        }
    }
}
