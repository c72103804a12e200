using Proxy.Actors.Config;
namespace Proxy.Tests.Config;
public sealed class TmpDump
{
    [Fact]
    public void Dump()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var dir in Directory.GetDirectories(G3ExamplesTests.FindExamplesRoot()!).Order())
        {
            sb.AppendLine("== " + Path.GetFileName(dir));
            try { var c = ConfigLoader.Load(dir); sb.AppendLine($"OK servers={c.Servers.Count} esc={c.Escapers.Count} res={c.Resolvers.Count}"); foreach (var w in c.Warnings) sb.AppendLine("  W " + w); }
            catch (ConfigException e) { foreach (var x in e.Errors) sb.AppendLine("  E " + x); }
        }
        File.WriteAllText("/tmp/g3dump.txt", sb.ToString());
    }
}
