using System.Security.Cryptography.X509Certificates;
using Proxy.Actors.Config;
using Proxy.Node;
using Proxy.Tests.Control;

namespace Proxy.Tests.Integration;

/// <summary>The control endpoint's guard: a token when one is set, TLS and a token off loopback.</summary>
[Collection(NodeCollection.Name)]
public sealed class ControlSecurityTests
{
    [Fact]
    public async Task Token_RequiredWhenConfigured()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml() + "\ncontrol: {listen: 127.0.0.1:0, token: s3cret}\n");
        var endpoint = proxy.Node.ControlEndpoint.ToString();

        var without = await PbmRun.RunRawAsync(endpoint, "version");
        Assert.Equal(3, without.Code);
        Assert.Contains("refused the session: bad or missing token", without.Err);
        var wrong = await PbmRun.RunRawAsync("--token", "guess", endpoint, "version");
        Assert.Equal(3, wrong.Code);
        var right = await PbmRun.RunRawAsync("--token", "s3cret", endpoint, "version");
        Assert.Equal(0, right.Code);
    }

    [Fact]
    public async Task NonLoopbackListen_WithoutTlsAndToken_NodeRefusesToStart()
    {
        using var dir = new Config.TempConfigDir();
        var main = dir.Write("main.yml", ProxyUnderTest.HttpProxyYaml() + "\ncontrol: {listen: 0.0.0.0:0, token: s3cret}\n");
        var config = ConfigLoader.Load(main);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            NodeHost.StartAsync(config, new NodeOptions { ConfigPath = main, ClusterPort = 0 }));

        Assert.Contains("control: listen 0.0.0.0:0 is not loopback", e.Message);
        Assert.Contains("tls_certificate", e.Message);
    }

    [Fact]
    public async Task Tls_WithCaAndToken_Works_AndPlainTextIsRefused()
    {
        var certs = new TestCertificates();
        var cert = certs.ServerCertificate;
        var files = new Dictionary<string, string>
        {
            ["control.crt"] = cert.ExportCertificatePem(),
            ["control.key"] = cert.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(),
            ["ca.pem"] = certs.CaPem,
        };
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml()
            + "\ncontrol: {listen: 127.0.0.1:0, token: s3cret, tls_certificate: control.crt, tls_private_key: control.key}\n", files);
        var endpoint = proxy.Node.ControlEndpoint.ToString();

        var tls = await PbmRun.RunRawAsync("--token", "s3cret", "--ca", Path.Combine(proxy.Dir, "ca.pem"), endpoint, "list", "server");
        Assert.Equal((0, "http"), (tls.Code, tls.Out.Trim()));

        var plain = await PbmRun.RunRawAsync("--token", "s3cret", endpoint, "list", "server");
        Assert.Equal(3, plain.Code);
        Assert.StartsWith("error: ", plain.Err);

        var untrusted = await PbmRun.RunRawAsync("--token", "s3cret", "--tls", endpoint, "list", "server");
        Assert.Equal(3, untrusted.Code);
    }
}
