using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// Debian's c-icap, started with a config file of its own in a temporary directory: one child, the
/// echo service (srv_echo), loopback on a free port, its access log in that directory.
/// </summary>
public sealed class CIcapServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private CIcapServer(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }
    public string AccessLog => File.Exists(Path.Combine(_dir, "access.log")) ? File.ReadAllText(Path.Combine(_dir, "access.log")) : "";
    public string ServerLog => File.Exists(Path.Combine(_dir, "server.log")) ? File.ReadAllText(Path.Combine(_dir, "server.log")) : "";

    public static async Task<CIcapServer> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("g3a-cicap-").FullName;
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var lib = Directory.Exists("/usr/lib/x86_64-linux-gnu/c_icap") ? "/usr/lib/x86_64-linux-gnu/c_icap"
            : Directory.GetDirectories("/usr/lib", "c_icap", SearchOption.AllDirectories).First();
        var conf = Path.Combine(dir, "c-icap.conf");
        await File.WriteAllTextAsync(conf, $"""
            PidFile {dir}/c-icap.pid
            CommandsSocket {dir}/c-icap.ctl
            Port 127.0.0.1:{port}
            StartServers 1
            MaxServers 1
            MinSpareThreads 1
            MaxSpareThreads 5
            ThreadsPerChild 5
            TmpDir {dir}
            ModulesDir {lib}
            ServicesDir {lib}
            TemplateDir /usr/share/c_icap/templates/
            LoadMagicFile /etc/c-icap/c-icap.magic
            ServerLog {dir}/server.log
            AccessLog {dir}/access.log
            Service echo srv_echo.so

            """);
        var psi = new ProcessStartInfo("c-icap") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-N", "-f", conf }) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var server = new CIcapServer(process, dir, port);
        var up = await Eventually.True(async () =>
        {
            using var c = new TcpClient();
            try { await c.ConnectAsync(IPAddress.Loopback, port); return true; }
            catch (SocketException) { return false; }
        }, TimeSpan.FromSeconds(20));
        if (!up)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException("c-icap did not start listening: " + server.ServerLog);
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        // c-icap forks its worker: stop the whole process tree this test started.
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
