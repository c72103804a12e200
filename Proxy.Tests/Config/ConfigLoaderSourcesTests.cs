using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Config.Servers;

namespace Proxy.Tests.Config;

public sealed class ConfigLoaderSourcesTests
{
    [Fact]
    public void KeysAndTypeNames_AreNormalisedAsG3Does()
    {
        using var dir = new TempConfigDir();
        var main = dir.Write("g3proxy.yaml", """
            Server:
              - Name: a
                Type: HttpProxy
                Escaper: e
                Pipeline-Read-Idle-Timeout: 90s
              - name: b
                type: http-proxy
                escaper: e
              - name: c
                type: httpproxy
                escaper: e
              - name: z
                type: Dummy_Close
            escaper:
              - name: e
                type: DirectFixed
                resolver: r
                egress-net-filter: {default: allow}
              - name: deny
                type: dummy-deny
            resolver:
              - name: r
                type: c-ares
              - name: r2
                type: CAres
              - name: r3
                type: c_ares
              - name: none
                type: deny_all
            """);
        var config = ConfigLoader.Load(main);
        Assert.Equal(3, config.Servers.OfType<HttpProxyServerConfig>().Count());
        Assert.Single(config.Servers.OfType<DummyCloseServerConfig>());
        Assert.Equal(TimeSpan.FromSeconds(90), ((HttpProxyServerConfig)config.Servers[0]).PipelineReadIdleTimeout);
        Assert.IsType<DirectFixedEscaperConfig>(config.Escapers[0]);
        Assert.IsType<DummyDenyEscaperConfig>(config.Escapers[1]);
        Assert.Equal(3, config.Resolvers.OfType<CAresResolverConfig>().Count());
        Assert.IsType<DenyAllResolverConfig>(config.Resolvers[3]);
    }

    [Fact]
    public void SplitFiles_DirectoryAndMultiDoc_LoadWithPositions()
    {
        using var dir = new TempConfigDir();
        dir.Write("main.yaml", """
            server: server.d
            escaper:
              - name: inline
                type: dummy_deny
              - escaper.d/more.yaml
            resolver: resolver.yaml
            """);
        var s1 = dir.Write("server.d/a.yaml", "---\nname: a\ntype: dummy_close\n");
        dir.Write("server.d/b.yaml", "name: b\ntype: dummy_close\n---\n\nname: c\ntype: dummy_close\n");
        dir.Write("server.d/ignored.yml", "this: is not loaded\n");
        dir.Write("server.d/sub/x.yaml", "name: nested\ntype: dummy_close\n");
        var more = dir.Write("escaper.d/more.yaml", "name: e2\ntype: dummy_deny\n---\nname: e3\ntype: dummy_deny\n");
        dir.Write("resolver.yaml", "name: r\ntype: deny_all\n");

        var config = ConfigLoader.Load(dir.Root);

        Assert.Equal(["a", "b", "c"], config.Servers.Select(s => s.Name));
        Assert.Equal(new ConfigPosition(s1, 2, 0), config.Servers[0].Position);
        var c = config.Servers[2].Position;
        Assert.EndsWith("b.yaml", c.File);
        Assert.Equal((5, 1), (c.Line, c.DocIndex));
        Assert.Equal(["inline", "e2", "e3"], config.Escapers.Select(e => e.Name));
        Assert.Equal(3, config.Escapers[0].Position.Line);
        Assert.Equal(new ConfigPosition(more, 4, 1), config.Escapers[2].Position);
        Assert.Equal("r", Assert.Single(config.Resolvers).Name);
    }

    [Fact]
    public void MainFileWithoutExtension_TakesEveryFileOfADirectory()
    {
        using var dir = new TempConfigDir();
        var main = dir.Write("proxy", "escaper: e\n");
        dir.Write("e/one.conf", "name: one\ntype: dummy_deny\n");
        dir.Write("e/two", "name: two\ntype: dummy_deny\n");
        var config = ConfigLoader.Load(main);
        Assert.Equal(["one", "two"], config.Escapers.Select(e => e.Name));
    }

    [Fact]
    public void RelativePaths_ResolveAgainstTheFileHoldingThem()
    {
        using var dir = new TempConfigDir();
        dir.Write("g3proxy.yaml", "server: conf/servers.yaml\nescaper: [{name: e, type: dummy_deny}]\n");
        dir.Write("conf/servers.yaml", """
            name: h
            type: http_proxy
            escaper: e
            tls_client:
              ca_certificate: ca.pem
            """);
        dir.Write("conf/ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        var http = (HttpProxyServerConfig)ConfigLoader.Load(dir.Root).Servers[0];
        Assert.Contains("BEGIN CERTIFICATE", http.TlsClient!.CaCertificatePem);
    }

    [Fact]
    public void DanglingReferences_AreWarnings()
    {
        using var dir = new TempConfigDir();
        var main = dir.Write("g3proxy.yaml", """
            server:
              - name: http
                type: http_proxy
                escaper: nope
            escaper:
              - name: d
                type: direct_fixed
                resolver: missing
            """);
        var config = ConfigLoader.Load(main);
        Assert.Contains(config.Warnings, w => w.ToString() == "g3proxy.yaml:2: server 'http': escaper 'nope' not found, acts as dummy_deny");
        Assert.Contains(config.Warnings, w => w.ToString() == "g3proxy.yaml:6: escaper 'd': resolver 'missing' not found, acts as deny_all");
    }

    [Fact]
    public void Directory_FindsG3proxyYaml()
    {
        using var dir = new TempConfigDir();
        dir.Write("g3proxy.yaml", "server: []\n");
        Assert.EndsWith("g3proxy.yaml", ConfigLoader.Load(dir.Root).MainFile);
    }

    [Fact]
    public void EmptyDirectory_IsRefused()
    {
        using var dir = new TempConfigDir();
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(dir.Root));
        Assert.Contains("no main config file", e.Message);
    }
}
