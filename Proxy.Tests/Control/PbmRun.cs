using System.Net;
using Proxy.Pbm;

namespace Proxy.Tests.Control;

/// <summary>Runs pbm's command line in-process against a node, capturing what it prints.</summary>
internal static class PbmRun
{
    public sealed record Result(int Code, string Out, string Err)
    {
        public string[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static async Task<Result> RunAsync(IPEndPoint node, params string[] words) =>
        await RunRawAsync([node.ToString(), .. words]);

    public static async Task<Result> RunRawAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var code = await PbmCli.RunAsync(args, stdout, stderr, cts.Token);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}
