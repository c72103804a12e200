using System.Diagnostics;
using System.Text;

namespace Proxy.Tests.Node;

/// <summary>Runs the built Proxy.Node.dll as a real process (it sits in the test output folder).</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private NodeProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>
    /// The node's own build output (Proxy.Node/bin/&lt;cfg&gt;/net10.0), not the copy beside the tests:
    /// the test folder carries ASP.NET's framework assemblies the node's runtimeconfig does not load.
    /// </summary>
    public static string Dll
    {
        get
        {
            var testDir = new DirectoryInfo(AppContext.BaseDirectory);
            var tfm = testDir.Name;
            var cfg = testDir.Parent!.Name;
            var root = testDir.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "Proxy.Node", "bin", cfg, tfm, "Proxy.Node.dll");
        }
    }

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <param name="netns">Run inside this network namespace (<c>ip netns exec</c>, which execs the node in place).</param>
    public static NodeProcess Start(string args, string? workingDirectory = null, string? netns = null)
    {
        // A test run started in the background (`./test.sh &`) ignores SIGINT and SIGQUIT, and a child inherits
        // that; .NET then leaves them ignored (as a background job should), so the node would never see the
        // signals the tests send. env puts their default handling back before the node starts.
        var command = $"--default-signal=INT,QUIT dotnet \"{Dll}\" {args}";
        var psi = new ProcessStartInfo(netns is null ? "env" : "ip", netns is null ? command : $"netns exec {netns} env {command}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(Dll)!,
        };
        return new NodeProcess(Process.Start(psi)!);
    }

    /// <summary>Runs to completion (bounded) and returns exit code and output.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string args, int timeoutMs = 60_000)
    {
        await using var p = Start(args);
        await p.WaitForExitAsync(timeoutMs);
        return (p.ExitCode, p.Stdout, p.Stderr);
    }

    public async Task WaitForExitAsync(int timeoutMs)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // what the node printed says which stage it was stuck in
            throw new TimeoutException($"the node did not exit within {timeoutMs} ms. stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        _process.WaitForExit(); // flushes the redirected output
    }

    public async Task<string> WaitForStdoutAsync(string text, int timeoutMs = 60_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!Stdout.Contains(text))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"'{text}' not printed. stdout:\n{Stdout}\nstderr:\n{Stderr}");
            await Task.Delay(25);
        }
        return Stdout;
    }

    public void Signal(int signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {_process.Id}"))!;
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
