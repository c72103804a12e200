using System.CommandLine;
using System.Net;
using Proxy.Control.Client;
using Proxy.Control.Host;
using Proxy.Pbm.Interactive;

namespace Proxy.Pbm;

/// <summary>
/// <c>pbm [OPTIONS] [HOST:PORT] [WORDS...]</c>. pbm's own options come first; from the first other
/// token on, everything is the command (so <c>-s</c>, <c>-f</c> belong to the words). With no
/// words, an interactive prompt. Exit codes: 0 done, 1 the node answered error, 2 usage, 3 node
/// unreachable or refused the session.
/// </summary>
internal static class PbmCli
{
    public const int Ok = 0, Failed = 1, Usage = 2, Unreachable = 3;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var split = FirstWord(args);
        var token = new Option<string?>("--token") { Description = "control token (default: $PBM_TOKEN)" };
        var tls = new Option<bool>("--tls") { Description = "use TLS (the default when HOST is not loopback)" };
        var ca = new Option<string?>("--ca") { Description = "PEM file of the CA that signed the node's control certificate" };
        var insecure = new Option<bool>("--insecure") { Description = "do not verify the node's certificate" };
        var words = new Argument<string[]>("words")
        {
            Description = "[HOST:PORT, or a process's own SOCKET.sock path] then the command, e.g. 'list server' (default endpoint " + ControlEndpoint.DefaultListen + "; none: interactive prompt; 'help' lists the node's words)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var root = new RootCommand("pbm: control a G3Actors node (g3proxy-ctl's words)") { token, tls, ca, insecure, words };
        root.SetAction(async (parse, token2) =>
        {
            var options = new ControlClientOptions
            {
                Token = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("PBM_TOKEN"),
                Tls = parse.GetValue(tls) || parse.GetValue(ca) is not null ? true : null,
                CaFile = parse.GetValue(ca),
                Insecure = parse.GetValue(insecure),
            };
            return await RunCommandAsync(args[split..], options, stdout, stderr, token2).ConfigureAwait(false);
        });
        var parsed = root.Parse(args[..split]);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        var result = await parsed.InvokeAsync(config, ct).ConfigureAwait(false);
        return parsed.Errors.Count > 0 ? Usage : result;
    }

    /// <summary>
    /// Index of the first token that is not one of pbm's options (or an option's value).
    /// <c>--cluster</c> is a word for the node, so <c>pbm --cluster version</c> starts the words there.
    /// </summary>
    internal static int FirstWord(string[] args)
    {
        var i = 0;
        while (i < args.Length && args[i].StartsWith('-') && args[i] != "--cluster")
        {
            if (args[i] is "--token" or "--ca" && !args[i].Contains('=')) i++;
            i++;
        }
        return Math.Min(i, args.Length);
    }

    private static async Task<int> RunCommandAsync(string[] rest, ControlClientOptions options, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var endpointText = ControlEndpoint.DefaultListen;
        if (rest.Length > 0 && (ControlEndpoint.TryParse(rest[0], out _) || IsSocketPath(rest[0])))
        {
            endpointText = rest[0];
            rest = rest[1..];
        }
        // A path is one process's own unix socket (<control_dir>/<group>_<pid>.sock), e.g. the old process during a hot upgrade.
        EndPoint endpoint;
        if (IsSocketPath(endpointText))
        {
            endpoint = new System.Net.Sockets.UnixDomainSocketEndPoint(endpointText);
        }
        else
        {
            ControlEndpoint.TryParse(endpointText, out var ip);
            endpoint = ip;
        }

        IReadOnlyList<string> words = rest;
        if (rest.Length > 0)
        {
            var (rewritten, fileError) = LocalFiles.Inline(rest);
            if (fileError is not null)
            {
                await stderr.WriteLineAsync("error: " + fileError).ConfigureAwait(false);
                return Usage;
            }
            words = rewritten;
        }

        ControlClient client;
        try
        {
            client = await ControlClient.ConnectAsync(endpoint, options, ct).ConfigureAwait(false);
        }
        catch (ControlClientException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return Unreachable;
        }
        await using (client.ConfigureAwait(false))
        {
            if (words.Count == 0) return await new Repl(client, endpointText, stdout, stderr).RunAsync(ct).ConfigureAwait(false);
            return await RunOneAsync(client, words, stdout, stderr, ct).ConfigureAwait(false);
        }
    }

    private static bool IsSocketPath(string word) => word.EndsWith(".sock", StringComparison.Ordinal) && word.Contains('/');

    /// <summary>One command: its lines, then <c>notice: ...</c> (stdout, exit 0) or <c>error: ...</c> (stderr, exit 1).</summary>
    public static async Task<int> RunOneAsync(ControlClient client, IReadOnlyList<string> words, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        Control.Wire.ControlFrame reply;
        try
        {
            reply = await client.RequestAsync(words, ct).ConfigureAwait(false);
        }
        catch (ControlClientException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return Unreachable;
        }
        foreach (var line in reply.Lines ?? []) await stdout.WriteLineAsync(line).ConfigureAwait(false);
        if (reply.Error is not null)
        {
            await stderr.WriteLineAsync("error: " + reply.Error).ConfigureAwait(false);
            return Failed;
        }
        if (reply.Notice is not null) await stdout.WriteLineAsync("notice: " + reply.Notice).ConfigureAwait(false);
        return Ok;
    }
}
