using NLua;
using Proxy.Actors.Config.UserGroups;

namespace Proxy.Actors.Users.Sources;

/// <summary>
/// g3's lua source, run in-process by NLua (Lua 5.4): the fetch script, with the global <c>__file__</c>,
/// returns the users JSON; the optional report script defines <c>reportOk()</c> and <c>reportErr(msg)</c>.
/// Each run gets a fresh interpreter on its own thread, bounded by its timeout.
/// </summary>
public sealed class LuaUserSource(LuaUserSourceConfig config, string group) : IUserSource
{
    public async Task<UserFetch> FetchAsync(CancellationToken ct)
    {
        string code;
        try { code = await UserFetchParser.ReadBoundedAsync(config.FetchScript, ct).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return UserFetch.Failed($"failed to read lua script {config.FetchScript}: {e.Message}");
        }
        var (ok, result) = await RunAsync(config.FetchScript, code, null, expectString: true, config.FetchTimeout, ct).ConfigureAwait(false);
        if (!ok) return UserFetch.Failed($"failed to run lua script {config.FetchScript}: {result}");
        var fetch = UserFetchParser.Parse(result ?? "", config.FetchScript, group);
        if (config.ReportScript is { } report)
        {
            try
            {
                var reportCode = await UserFetchParser.ReadBoundedAsync(report, ct).ConfigureAwait(false);
                var call = fetch.Ok ? "reportOk()" : "reportErr(__g3_error)";
                await RunAsync(report, reportCode + "\n" + call, fetch.Error, expectString: false, config.ReportTimeout, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // as g3: a report failure is logged by the caller's fetch result, it does not change it
            }
        }
        return fetch;
    }

    /// <summary>
    /// Runs a chunk; a CPU-bound runaway is stopped by an instruction hook raised from Lua itself (never a
    /// longjmp through .NET frames), anything else by abandoning the thread at the timeout.
    /// </summary>
    private static async Task<(bool Ok, string? Result)> RunAsync(string path, string code, string? error, bool expectString, TimeSpan timeout, CancellationToken ct)
    {
        var seconds = timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var guard = $"do local d = os.clock() + {seconds}; debug.sethook(function() if os.clock() > d then error('timed out after {seconds}s') end end, '', 10000) end\n";
        var run = Task.Factory.StartNew(() =>
        {
            using var lua = new Lua();
            lua["__file__"] = path;
            if (error is not null) lua["__g3_error"] = error;
            try
            {
                lua.DoString(guard, "guard");
                var results = lua.DoString(code, Path.GetFileName(path));
                return (true, results is { Length: > 0 } && results[0] is string s ? s : null);
            }
            catch (NLua.Exceptions.LuaException e)
            {
                return (false, (string?)e.Message);
            }
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            var (ok, result) = await run.WaitAsync(timeout + TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            return ok && expectString && result is null ? (false, "the script did not return a string") : (ok, result);
        }
        catch (TimeoutException)
        {
            return (false, $"timed out after {seconds}s");
        }
    }
}
