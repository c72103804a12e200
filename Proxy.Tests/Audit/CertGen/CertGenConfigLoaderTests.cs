using System.Net;
using Proxy.Actors.Audit.CertGen;
using Proxy.Actors.Config;
using Proxy.Tests.Config;

namespace Proxy.Tests.Audit.CertGen;

/// <summary>The generator's YAML: g3fcgen's keys, files relative to the config, refusals naming file, line and key.</summary>
public sealed class CertGenConfigLoaderTests
{
    [Fact]
    public void G3fcgenConfig_Loads_WithPathsRelativeToTheFile()
    {
        using var ca = new TestCa();
        using var dir = new TempConfigDir();
        dir.Write("ca/G3-test.crt", ca.CertPem);
        dir.Write("ca/G3-test.key", ca.KeyPem);
        var path = dir.Write("g3fcgen.yaml", """
            ---
            runtime:
              thread_number: 1
            backend:
              ca_certificate: ca/G3-test.crt
              ca_private_key: ca/G3-test.key
              keep_serial: true
              max_ttl: 60
            """);

        var (config, warnings) = CertGenConfigLoader.Load(path);

        Assert.Contains(ca.CertPem.Trim(), config.CaCertificatePem);
        Assert.True(config.KeepSerial);
        Assert.Equal(CertGenConfig.MinMaxTtl, config.MaxTtl); // g3fcgen: at least 5 minutes
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 2999), config.Listen);
        Assert.Contains(warnings, w => w.Key == "runtime");
    }

    [Fact]
    public void ListenAndKeyType_AreRead()
    {
        using var ca = new TestCa();
        using var dir = new TempConfigDir();
        var path = dir.Write("certgen.yml",
            $"listen: 127.0.0.1:3999\nbackend:\n  key_type: rsa2048\n  no_append_ca_cert: true\n  ca_certificate: |\n{Indent(ca.CertPem)}  ca_private_key: |\n{Indent(ca.KeyPem)}");

        var (config, _) = CertGenConfigLoader.Load(path);

        Assert.Equal(IPEndPoint.Parse("127.0.0.1:3999"), config.Listen);
        Assert.Equal(CertKeyType.Rsa2048, config.KeyType);
        Assert.True(config.NoAppendCaCert);
    }

    private static string Indent(string pem) => string.Concat(pem.Split('\n').Where(l => l.Length > 0).Select(l => "    " + l + "\n"));

    [Fact]
    public void MissingCa_AndUnknownKey_AreRefused()
    {
        using var dir = new TempConfigDir();
        var path = dir.Write("certgen.yml", "backend:\n  keep_serail: true\n");

        var e = Assert.Throws<ConfigException>(() => CertGenConfigLoader.Load(path));

        Assert.Contains("certgen.yml:2: backend: unknown key 'keep_serail'", e.Message);

        File.WriteAllText(path, "backend:\n  keep_serial: true\n");
        var missing = Assert.Throws<ConfigException>(() => CertGenConfigLoader.Load(path));
        Assert.Contains("no ca certificate set", missing.Message);
        Assert.Contains("no ca private key set", missing.Message);
    }
}
