using System.Diagnostics;
using System.Text;
using Proxy.Tests.Node;

namespace Proxy.Tests.Integration;

/// <summary>
/// <c>pbm HOST:PORT</c> alone, driven through a pseudo-terminal (util-linux <c>script</c>): Tab
/// completes the words and names the node sent, a second Tab lists the choices, Up recalls history.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class PbmInteractiveTests
{
    /// <summary>pbm's own build output, beside the node's (see <see cref="NodeProcess.Dll"/>).</summary>
    private static string PbmDll => Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(
        Path.GetDirectoryName(Path.GetDirectoryName(NodeProcess.Dll)!)!)!)!)!, "Proxy.Pbm", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, new DirectoryInfo(AppContext.BaseDirectory).Name, "pbm.dll");

    [Fact]
    public async Task Prompt_CompletesTheNodesWords_AndNames()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        using var script = Process.Start(new ProcessStartInfo("script", ["-qfc", $"dotnet \"{PbmDll}\" {proxy.Node.ControlEndpoint}", "/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = new StringBuilder();
        // Raw reads, not lines: the prompt has no newline.
        var reader = Task.Run(async () =>
        {
            var buf = new char[4096];
            int n;
            while ((n = await script.StandardOutput.ReadAsync(buf)) > 0)
                lock (output) output.Append(buf, 0, n);
        });
        string Seen() { lock (output) return output.ToString(); }
        async Task Until(string text)
        {
            Assert.True(await Resolvers.Eventually.True(() => Seen().Contains(text), TimeSpan.FromSeconds(30)), $"'{text}' never shown:\n{Seen()}");
        }
        async Task Type(string keys)
        {
            await script.StandardInput.WriteAsync(keys);
            await script.StandardInput.FlushAsync();
        }

        try
        {
            await Until("> ");
            await Type("li\t");
            await Until("list ");
            await Type("s\t\r");
            await Until("list server");
            await Until("\nhttp\r");

            await Type("re\t\t");
            await Until("reload  reload-auditor  reload-escaper  reload-resolver  reload-server  reload-user-group  resolver");
            await Type("\u0003server \t");
            await Until("server http ");
            await Type("st\t\r");
            await Until("total conn: ");

            await Type("\u001b[A\r"); // history: the status again
            Assert.True(await Resolvers.Eventually.True(() => CountOf(Seen(), "total conn: ") >= 2, TimeSpan.FromSeconds(30)), Seen());

            await Type("exit\r");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await script.WaitForExitAsync(cts.Token);
            Assert.Equal(0, script.ExitCode);
            await reader.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            if (!script.HasExited) script.Kill(true);
        }
    }

    private static int CountOf(string text, string part)
    {
        var n = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
