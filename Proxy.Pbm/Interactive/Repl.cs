using Proxy.Control.Client;

namespace Proxy.Pbm.Interactive;

/// <summary>
/// <c>pbm HOST:PORT</c> alone: a prompt on one session, the node's words completed with Tab;
/// <c>exit</c>, <c>quit</c> or Ctrl+D leave. Without a terminal (input redirected) lines are read
/// plainly. The exit code is the last command's.
/// </summary>
internal sealed class Repl(ControlClient client, string endpoint, TextWriter stdout, TextWriter stderr)
{
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var prompt = $"pbm {endpoint}> ";
        await stdout.WriteLineAsync($"connected to {client.Node} at {endpoint}; Tab completes, 'help' lists the words, 'exit' leaves")
            .ConfigureAwait(false);
        var editor = Console.IsInputRedirected ? null : new LineEditor(new Completer(client.Palettes, client.Names), stdout);
        var code = PbmCli.Ok;
        while (!ct.IsCancellationRequested)
        {
            string? line;
            if (editor is null)
            {
                await stdout.WriteAsync(prompt).ConfigureAwait(false);
                await stdout.FlushAsync(ct).ConfigureAwait(false);
                line = await Console.In.ReadLineAsync(ct).ConfigureAwait(false);
            }
            else
            {
                line = editor.ReadLine(prompt);
            }
            if (line is null) break;
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            if (words is ["exit"] or ["quit"]) break;
            var (inlined, fileError) = LocalFiles.Inline(words);
            if (fileError is not null)
            {
                await stderr.WriteLineAsync("error: " + fileError).ConfigureAwait(false);
                code = PbmCli.Usage;
                continue;
            }
            code = await PbmCli.RunOneAsync(client, inlined, stdout, stderr, ct).ConfigureAwait(false);
            if (code == PbmCli.Unreachable) break;
        }
        return code;
    }
}
