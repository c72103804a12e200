using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Resolvers.Hickory;

/// <summary>
/// A real unbound (Debian's, with nghttp2 for DoH) run in the foreground with a config of the
/// test's own in a temp dir: plain DNS, DNS over TLS and DNS over HTTPS on 127.0.0.1, answering
/// from local-data with a certificate the test made (for "localhost" and 127.0.0.1). Killed on dispose.
/// </summary>
internal sealed class UnboundServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly StringBuilder _log;

    private UnboundServer(Process process, string dir, StringBuilder log, int plain, int tls, int https, string caPem)
    {
        _process = process;
        _dir = dir;
        _log = log;
        PlainPort = plain;
        TlsPort = tls;
        HttpsPort = https;
        CaPem = caPem;
    }

    public int PlainPort { get; }
    public int TlsPort { get; }
    public int HttpsPort { get; }
    /// <summary>The CA that signed the server's certificate.</summary>
    public string CaPem { get; }
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <param name="localData">unbound local-data lines, e.g. <c>"a.example.test. 300 IN A 192.0.2.10"</c>; zone example.test.</param>
    public static async Task<UnboundServer> StartAsync(params string[] localData)
    {
        var certs = new TestCertificates();
        // The ports are picked free, then handed to unbound: another process may take one in
        // between, so a failed start is tried again with new ports.
        for (var attempt = 1; ; attempt++)
        {
            var dir = Path.Combine(Path.GetTempPath(), "g3a-unbound-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            var (plain, tls, https) = (FreePort(), FreePort(), FreePort());
            await File.WriteAllTextAsync(Path.Combine(dir, "cert.pem"), certs.ServerCertificatePem);
            await File.WriteAllTextAsync(Path.Combine(dir, "key.pem"), certs.ServerKeyPem);
            var conf = Path.Combine(dir, "unbound.conf");
            await File.WriteAllTextAsync(conf, Config(dir, plain, tls, https, localData));

            var log = new StringBuilder();
            var process = new Process
            {
                StartInfo = new ProcessStartInfo(File.Exists("/usr/sbin/unbound") ? "/usr/sbin/unbound" : "unbound", $"-d -c {conf}")
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                },
            };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new UnboundServer(process, dir, log, plain, tls, https, certs.CaPem);
            if (await server.ReadyAsync()) return server;
            var why = server.Log;
            await server.DisposeAsync();
            if (attempt == 3) throw new InvalidOperationException($"unbound did not start: {why}");
        }
    }

    private static string Config(string dir, int plain, int tls, int https, IEnumerable<string> localData)
    {
        var sb = new StringBuilder();
        sb.AppendLine("server:");
        sb.AppendLine("  verbosity: 1");
        foreach (var port in new[] { plain, tls, https }) sb.AppendLine($"  interface: 127.0.0.1@{port}");
        sb.AppendLine($"  tls-port: {tls}");
        sb.AppendLine($"  https-port: {https}");
        sb.AppendLine($"  tls-service-key: \"{dir}/key.pem\"");
        sb.AppendLine($"  tls-service-pem: \"{dir}/cert.pem\"");
        sb.AppendLine("  do-daemonize: no");
        sb.AppendLine("  chroot: \"\"");
        sb.AppendLine("  username: \"\"");
        sb.AppendLine($"  directory: \"{dir}\"");
        sb.AppendLine("  pidfile: \"\"");
        sb.AppendLine("  use-syslog: no");
        sb.AppendLine("  logfile: \"\"");
        sb.AppendLine("  do-ip6: no");
        sb.AppendLine("  access-control: 127.0.0.0/8 allow");
        sb.AppendLine("  module-config: \"iterator\"");
        sb.AppendLine("  local-zone: \"example.test.\" static");
        foreach (var line in localData) sb.AppendLine($"  local-data: \"{line}\"");
        sb.AppendLine("remote-control:");
        sb.AppendLine("  control-enable: no");
        return sb.ToString();
    }

    /// <summary>Every listener accepts a TCP connection, or the process ended (a port was taken).</summary>
    private async Task<bool> ReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        foreach (var port in new[] { PlainPort, TlsPort, HttpsPort })
        {
            while (true)
            {
                if (_process.HasExited) return false;
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(20);
                }
                catch (SocketException)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>A port free for both TCP and UDP on 127.0.0.1 right now.</summary>
    private static int FreePort()
    {
        while (true)
        {
            var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // UDP side taken: another one.
            }
            finally
            {
                tcp.Stop();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
