using Proxy.Actors.Audit.CertGen;
using Proxy.Tests.Audit;

namespace Proxy.Tests.Integration;

/// <summary>
/// What every auditor test with real parts starts from: an interception CA served by the project's
/// certificate generator on loopback, certificates for the origins (their CA trusted by the proxy only),
/// a temporary directory, and a proxy with auditor <c>audit</c> on an http_proxy and a socks_proxy.
/// </summary>
public abstract class AuditTestBase : IAsyncLifetime
{
    private protected TestCa InterceptionCa { get; } = new();
    private protected TestCertificates OriginCerts { get; } = new();
    private protected string Dir { get; } = Directory.CreateTempSubdirectory("g3a-audit-").FullName;
    private protected CertGenServer Generator { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Generator = CertGenServer.Start(InterceptionCa.Config(), TimeProvider.System, TextWriter.Null, out var error)
            ?? throw new InvalidOperationException(error);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Generator.DisposeAsync();
        InterceptionCa.Dispose();
        OriginCerts.Dispose();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }

    /// <summary>The interception CA as a PEM file, for curl's --cacert.</summary>
    private protected string CaFile()
    {
        var path = Path.Combine(Dir, "icept-ca.pem");
        File.WriteAllText(path, InterceptionCa.CertPem);
        return path;
    }

    /// <summary>
    /// http_proxy (<paramref name="serverExtra"/>) and socks_proxy 'socks' with auditor 'audit', which uses the
    /// generator (or <paramref name="agent"/>) and trusts the origin CA (or <paramref name="originCaPem"/>) for the real servers.
    /// </summary>
    private protected Task<ProxyUnderTest> StartAsync(string auditorExtra = "", string serverExtra = "auditor: audit", string servers = "",
        string? originCaPem = null, string? agent = null) =>
        ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: serverExtra) + $"""

              - name: socks
                type: socks_proxy
                escaper: direct
                listen: 127.0.0.1:0
                auditor: audit
            {servers}

            auditor:
              - name: audit
                tls_cert_agent: {agent ?? Generator.LocalEndPoint.ToString()}
                tls_interception_client:
                  ca_certificate: origin-ca.pem
                  no_default_ca_certificate: true
            {auditorExtra}
            """, new Dictionary<string, string> { ["origin-ca.pem"] = originCaPem ?? OriginCerts.CaPem });
}
