using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using Proxy.Actors.Audit.CertGen;
using Proxy.Actors.Config;

namespace Proxy.Node;

/// <summary>
/// <c>g3actors certgen -c certgen.yml</c>: the certificate generator g3proxy's tls_cert_agent talks to,
/// with g3fcgen's flags (-c, -G port&lt;N&gt;, -t, UDP_LISTEN_ADDR) and G3Actors' --listen.
/// </summary>
public static class CertGenCommand
{
    public static Command Build()
    {
        var config = new Option<string>("--config-file", "-c") { Description = "generator config (g3fcgen schema: backend.ca_certificate, backend.ca_private_key ...)", Required = true };
        var group = new Option<string?>("--group-name", "-G") { Description = "g3fcgen group name; port<N> listens on [::]:N" };
        var listen = new Option<string?>("--listen") { Description = "UDP listen address IP:PORT (overrides the config, -G and UDP_LISTEN_ADDR)" };
        var test = new Option<bool>("--test-config", "-t") { Description = "validate the config and the CA, print OK or the errors, exit 0/1" };
        var command = new Command("certgen", "TLS interception certificate generator (g3fcgen protocol over UDP)") { config, group, listen, test };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(config)!, parse.GetValue(group), parse.GetValue(listen), parse.GetValue(test), ct));
        return command;
    }

    private static async Task<int> RunAsync(string path, string? group, string? listen, bool testOnly, CancellationToken ct)
    {
        CertGenConfig config;
        try
        {
            var (loaded, warnings) = CertGenConfigLoader.Load(path);
            foreach (var w in warnings) await Console.Error.WriteLineAsync("warning: " + w);
            config = loaded;
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message);
            return 1;
        }
        var address = ListenAddress(config.Listen, group, Environment.GetEnvironmentVariable("UDP_LISTEN_ADDR"), listen, out var addressError);
        if (address is null)
        {
            await Console.Error.WriteLineAsync("error: " + addressError);
            return 1;
        }
        if (testOnly) config = config with { Listen = new IPEndPoint(IPAddress.Loopback, 0) };
        else config = config with { Listen = address };

        var server = CertGenServer.Start(config, TimeProvider.System, Console.Error, out var error);
        if (server is null)
        {
            await Console.Error.WriteLineAsync("error: " + error);
            return 1;
        }
        await using (server)
        {
            if (testOnly)
            {
                Console.WriteLine("OK");
                return 0;
            }
            Console.WriteLine($"certgen listening on udp {server.LocalEndPoint}");
            Console.Out.Flush();
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
            using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
            await using var reg = ct.Register(() => stop.TrySetResult());
            await Task.WhenAny(stop.Task, server.Completion);
        }
        return 0;
    }

    /// <summary>g3fcgen's order: the default, then -G port&lt;N&gt; ([::]:N), then UDP_LISTEN_ADDR; --listen last.</summary>
    public static IPEndPoint? ListenAddress(IPEndPoint configured, string? group, string? env, string? listen, out string error)
    {
        error = "";
        var address = configured;
        if (group is not null && group.StartsWith("port", StringComparison.Ordinal) && ushort.TryParse(group[4..], out var port))
            address = new IPEndPoint(IPAddress.IPv6Any, port);
        if (env is not null && IPEndPoint.TryParse(env, out var fromEnv) && fromEnv.Port != 0) address = fromEnv;
        if (listen is not null)
        {
            if (!IPEndPoint.TryParse(listen, out var fromFlag))
            {
                error = $"invalid --listen address '{listen}'";
                return null;
            }
            address = fromFlag;
        }
        return address;
    }
}
