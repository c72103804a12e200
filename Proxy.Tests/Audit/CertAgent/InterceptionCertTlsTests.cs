using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Proxy.Actors.Audit.CertAgent;
using Proxy.Actors.Audit.CertGen;
using Proxy.Actors.Config.Auditors;
using Agent = Proxy.Actors.Audit.CertAgent.TlsCertAgent;

namespace Proxy.Tests.Audit.CertAgent;

/// <summary>A minted certificate serving TLS: accepted by clients that trust the CA, refused by those that do not.</summary>
public sealed class InterceptionCertTlsTests : IAsyncLifetime
{
    private readonly TestCa _ca = new();
    private CertGenServer _server = null!;
    private Agent _agent = null!;

    public Task InitializeAsync()
    {
        _server = CertGenServer.Start(_ca.Config(), TimeProvider.System, TextWriter.Null, out var error) ?? throw new InvalidOperationException(error);
        _agent = new Agent(new CertAgentConfig { QueryPeerAddr = _server.LocalEndPoint }, TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        await _server.DisposeAsync();
        _ca.Dispose();
    }

    /// <summary>Serves TLS handshakes with <paramref name="cert"/> on loopback until disposed; each one writes "hello".</summary>
    private sealed class TlsServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public TlsServer(InterceptionCert cert)
        {
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                    catch (OperationCanceledException) { return; }
                    _ = ServeAsync(client, cert);
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        private async Task ServeAsync(TcpClient client, InterceptionCert cert)
        {
            using var _ = client;
            await using var ssl = new SslStream(client.GetStream());
            try
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                cts.CancelAfter(TimeSpan.FromSeconds(10));
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = cert.Context }, cts.Token);
                await ssl.WriteAsync("hello\n"u8.ToArray(), cts.Token);
                await ssl.ShutdownAsync();
            }
            catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException) { }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
        }
    }

    private async Task<string> HandshakeAsync(int port, string host, bool trustCa)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var ssl = new SslStream(tcp.GetStream());
        var options = new SslClientAuthenticationOptions { TargetHost = host };
        if (trustCa)
        {
            options.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck,
            };
            options.CertificateChainPolicy.CustomTrustStore.Add(_ca.Certificate);
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await ssl.AuthenticateAsClientAsync(options, cts.Token);
        var buffer = new byte[16];
        var n = await ssl.ReadAsync(buffer, cts.Token);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, n);
    }

    [Theory]
    [InlineData("secure.example.com")]
    [InlineData("127.0.0.1")]
    public async Task SslStreamClient_TrustingTheCa_CompletesTheHandshake(string host)
    {
        var result = await _agent.FetchAsync(host);
        Assert.True(result.Ok, result.Error);
        await using var server = new TlsServer(result.Cert!);

        Assert.Equal("hello\n", await HandshakeAsync(server.Port, host, trustCa: true));
    }

    [Fact]
    public async Task SslStreamClient_WithoutTheCa_RefusesTheCertificate()
    {
        var result = await _agent.FetchAsync("secure.example.com");
        await using var server = new TlsServer(result.Cert!);

        await Assert.ThrowsAsync<AuthenticationException>(() => HandshakeAsync(server.Port, "secure.example.com", trustCa: false));
    }

    [Fact]
    public async Task SslStreamClient_ForAnotherName_RefusesTheCertificate()
    {
        var result = await _agent.FetchAsync("secure.example.com");
        await using var server = new TlsServer(result.Cert!);

        await Assert.ThrowsAsync<AuthenticationException>(() => HandshakeAsync(server.Port, "other.example.com", trustCa: true));
    }

    private static async Task<(int Code, string Output)> SClientAsync(int port, string host, string? caFile)
    {
        var ca = caFile is null ? "" : $"-CAfile \"{caFile}\"";
        var psi = new ProcessStartInfo("openssl",
            $"s_client -connect 127.0.0.1:{port} -servername {host} -verify_hostname {host} -verify_return_error {ca}")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task OpensslSClient_VerifiesWithTheCaFile_AndFailsWithoutIt()
    {
        var result = await _agent.FetchAsync("openssl.example.com");
        Assert.True(result.Ok, result.Error);
        await using var server = new TlsServer(result.Cert!);
        var caFile = Path.Combine(Directory.CreateTempSubdirectory("g3a-ca-").FullName, "ca.pem");
        await File.WriteAllTextAsync(caFile, _ca.CertPem);

        var (okCode, okOut) = await SClientAsync(server.Port, "openssl.example.com", caFile);
        var (badCode, badOut) = await SClientAsync(server.Port, "openssl.example.com", null);

        Assert.True(okCode == 0, okOut);
        Assert.Contains("Verify return code: 0 (ok)", okOut);
        Assert.NotEqual(0, badCode);
        Assert.Contains("verify error", badOut, StringComparison.OrdinalIgnoreCase);
    }
}
