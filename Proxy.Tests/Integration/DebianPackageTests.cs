using System.Diagnostics;
using Proxy.Tests.Node;

namespace Proxy.Tests.Integration;

/// <summary>deploy/build-deb.sh builds the package from this build's output; its contents are what an operator installs.</summary>
[Collection(NodeCollection.Name)]
public sealed class DebianPackageTests
{
    [Fact]
    public async Task Package_HoldsNodePbmUnitConfigAndCompletion_AndItsBinariesRun()
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(NodeProcess.Dll)!, "..", "..", "..", ".."));
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        using var dir = new Config.TempConfigDir();

        // --no-build: publish what the test run already built, instead of building again.
        var (code, stdout, stderr) = await RunAsync(new Dictionary<string, string> { ["CONFIGURATION"] = configuration },
            "bash", Path.Combine(root, "deploy", "build-deb.sh"), dir.Root, "--no-build");
        Assert.True(code == 0, stderr);
        var deb = stdout.Trim();
        Assert.EndsWith(".deb", deb);

        var listing = (await RunAsync("dpkg-deb", "-c", deb)).Stdout;
        foreach (var path in new[]
                 {
                     "./usr/lib/g3actors/Proxy.Node.dll", "./usr/lib/g3actors/pbm.dll", "./usr/lib/g3actors/Proxy.Control.dll",
                     "./usr/bin/g3actors -> ../lib/g3actors/Proxy.Node", "./usr/bin/pbm -> ../lib/g3actors/pbm",
                     "./lib/systemd/system/g3actors@.service", "./etc/g3actors/default/main.yml", "./etc/g3actors/default/cluster.hocon",
                     "./usr/share/bash-completion/completions/pbm", "./usr/share/bash-completion/completions/g3actors",
                 })
            Assert.Contains(path, listing);
        var fields = (await RunAsync("dpkg-deb", "-f", deb, "Package", "Depends")).Stdout;
        Assert.Contains("Package: g3actors", fields);
        Assert.Contains("dotnet-runtime-10.0", fields);
        Assert.Contains("aspnetcore-runtime-10.0", fields); // Kestrel (h2 interception) is in the ASP.NET Core shared framework

        var x = Path.Combine(dir.Root, "x");
        Assert.Equal(0, (await RunAsync("dpkg-deb", "-x", deb, x)).Code);
        var unit = await File.ReadAllTextAsync(Path.Combine(x, "lib", "systemd", "system", "g3actors@.service"));
        Assert.Contains("ExecStart=/usr/bin/g3actors -c /etc/g3actors/%i/", unit);
        Assert.Contains("ExecReload=/bin/kill -HUP $MAINPID", unit);
        var lib = Path.Combine(x, "usr", "lib", "g3actors");
        var check = await RunAsync("dotnet", Path.Combine(lib, "Proxy.Node.dll"), "-t", "-c", Path.Combine(x, "etc", "g3actors", "default"));
        Assert.Equal((0, "OK"), (check.Code, check.Stdout.Trim()));
        var help = await RunAsync("dotnet", Path.Combine(lib, "pbm.dll"), "--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("--token", help.Stdout);
        var completion = await RunAsync("bash", "-c", $"source '{Path.Combine(x, "usr", "share", "bash-completion", "completions", "pbm")}'"
            + " && COMP_WORDS=(pbm list s) COMP_CWORD=2 && _pbm && echo ${COMPREPLY[*]}");
        Assert.Equal("server", completion.Stdout.Trim());
    }

    private static Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, params string[] args) =>
        RunAsync(new Dictionary<string, string>(), file, args);

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(Dictionary<string, string> env, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}
