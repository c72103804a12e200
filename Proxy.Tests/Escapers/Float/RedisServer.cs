using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Proxy.Tests.Escapers.Float;

/// <summary>
/// Debian's redis-server on a free 127.0.0.1 port, no persistence, in a temp folder; killed on dispose.
/// With <c>tls</c> the port speaks TLS only (<c>--tls-port</c>, plain port off) with a leaf of that CA for localhost.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private readonly Process _process;
    private readonly string _dir = Directory.CreateTempSubdirectory("g3a-redis-").FullName;

    public RedisServer(global::Proxy.Tests.Integration.TestCertificates? tls = null)
    {
        // redis-server cannot bind port 0 and say which port it got: take a free one and start at once
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var port = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        List<string> args = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _dir];
        if (tls is null)
        {
            args.AddRange(["--port", port]);
        }
        else
        {
            File.WriteAllText(Path.Combine(_dir, "server.pem"), tls.ServerCertificatePem);
            File.WriteAllText(Path.Combine(_dir, "server.key"), tls.ServerKeyPem);
            File.WriteAllText(Path.Combine(_dir, "ca.pem"), tls.CaPem);
            args.AddRange(["--port", "0", "--tls-port", port, "--tls-cert-file", Path.Combine(_dir, "server.pem"),
                "--tls-key-file", Path.Combine(_dir, "server.key"), "--tls-ca-cert-file", Path.Combine(_dir, "ca.pem"), "--tls-auth-clients", "no"]);
        }
        _process = Process.Start(new ProcessStartInfo("redis-server", args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}");
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }

    public int Port { get; }

    public void Dispose()
    {
        try { _process.Kill(); _process.WaitForExit(10_000); } catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
