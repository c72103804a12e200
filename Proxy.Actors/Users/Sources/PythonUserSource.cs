using System.Diagnostics;
using System.Text;
using Proxy.Actors.Config.UserGroups;

namespace Proxy.Actors.Users.Sources;

/// <summary>
/// g3's python source, run by the system <c>python3</c>: the script is loaded as a module with
/// <c>__file__</c> set, <c>fetch_users()</c> returns the users JSON, then <c>report_ok()</c> or
/// <c>report_err(msg)</c> is called when the script defines it. Each call is a child process killed at its timeout.
/// </summary>
public sealed class PythonUserSource(PythonUserSourceConfig config, string group, string python = "python3") : IUserSource
{
    // Loads the operator's script as g3's embedded interpreter does (module from code, __file__ set)
    // and calls one function; the result goes to stdout, errors to stderr with exit 1.
    private const string Driver = """
        import sys, types
        path, fn = sys.argv[1], sys.argv[2]
        mod = types.ModuleType("g3_user_source")
        mod.__file__ = path
        with open(path) as f:
            code = compile(f.read(), path, "exec")
        exec(code, mod.__dict__)
        func = getattr(mod, fn, None)
        if func is None:
            if fn == "fetch_users":
                sys.stderr.write("no fetch_users function found in script " + path)
                sys.exit(1)
            sys.exit(0)
        result = func(*sys.argv[3:])
        if fn == "fetch_users":
            if not isinstance(result, str):
                sys.stderr.write("fetch_users() returned " + type(result).__name__ + ", not a str")
                sys.exit(1)
            sys.stdout.write(result)
        """;

    public async Task<UserFetch> FetchAsync(CancellationToken ct)
    {
        var (ok, output) = await RunAsync("fetch_users", null, config.FetchTimeout, ct).ConfigureAwait(false);
        if (!ok) return UserFetch.Failed($"failed to call {config.Script}::fetch_users(): {output}");
        var fetch = UserFetchParser.Parse(output, config.Script, group);
        // the report's own failure is only logged by g3; here it cannot change the fetch result either
        await RunAsync(fetch.Ok ? "report_ok" : "report_err", fetch.Error, config.ReportTimeout, ct).ConfigureAwait(false);
        return fetch;
    }

    private async Task<(bool Ok, string Output)> RunAsync(string function, string? arg, TimeSpan timeout, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(config.Script) ?? ".",
        };
        foreach (var a in new[] { "-c", Driver, config.Script, function }) psi.ArgumentList.Add(a);
        if (arg is not null) psi.ArgumentList.Add(arg);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        Process process;
        try { process = Process.Start(psi) ?? throw new InvalidOperationException("no process"); }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return (false, $"cannot run {python}: {e.Message}");
        }
        using (process)
        {
            var stdout = ReadBoundedAsync(process.StandardOutput, cts.Token);
            var stderr = ReadBoundedAsync(process.StandardError, cts.Token);
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
                var output = await stdout.ConfigureAwait(false);
                var error = await stderr.ConfigureAwait(false);
                return process.ExitCode == 0 ? (true, output) : (false, LastLine(error));
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                ct.ThrowIfCancellationRequested();
                return (false, $"timed out after {timeout.TotalSeconds:0.###}s");
            }
            catch (IOException e)
            {
                Kill(process);
                return (false, e.Message);
            }
        }
    }

    private static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    private static async Task<string> ReadBoundedAsync(StreamReader reader, CancellationToken ct)
    {
        var sb = new StringBuilder();
        var buffer = new char[8192];
        int n;
        while ((n = await reader.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            if (sb.Length + n > UserFetchParser.MaxContentsBytes) throw new IOException("script output is too large");
            sb.Append(buffer, 0, n);
        }
        return sb.ToString();
    }

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "exited with an error" : lines[^1];
    }
}
