using Proxy.Actors.Config;
using Proxy.Node;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Cluster;

/// <summary>
/// Configs for a gateway and relays of a regional fleet on loopback: a throw-away CA, a relay
/// certificate (localhost, 127.0.0.1) and a client certificate for the gateways' mTLS, written to a
/// temp folder. Relays are http_proxy servers with tls_server and client auth, advertised as
/// <c>cluster.relay</c>; the gateway's http_proxy escapes through <c>route_region</c>.
/// </summary>
internal sealed class RegionFleet : IDisposable
{
    private readonly TestCertificates _certs = new();

    public RegionFleet()
    {
        Dir = Directory.CreateTempSubdirectory("g3a-fleet-").FullName;
        File.WriteAllText(Path.Combine(Dir, "ca.crt"), _certs.CaPem);
        var (cert, key) = _certs.Leaf("localhost");
        File.WriteAllText(Path.Combine(Dir, "relay.crt"), cert);
        File.WriteAllText(Path.Combine(Dir, "relay.key"), key);
        var (clientCert, clientKey) = _certs.Leaf("gateway", client: true);
        File.WriteAllText(Path.Combine(Dir, "client.crt"), clientCert);
        File.WriteAllText(Path.Combine(Dir, "client.key"), clientKey);
    }

    public string Dir { get; }

    private const string Direct = """
        escaper:
          - name: direct
            type: direct_fixed
            resolver: default
            resolve_strategy: IPv4First
            egress_network_filter: {default: allow, allow: [127.0.0.1]}
        """;

    private const string Resolver = """
        log: stdout
        resolver:
          - name: default
            type: c-ares
            server: 127.0.0.1
        """;

    /// <summary>A relay of <paramref name="region"/>: its relay server takes only clients with a certificate of the fleet's CA.</summary>
    public string RelayYaml(string region) => $"""
        {Resolver}
        {Direct}
        server:
          - name: relay
            type: http_proxy
            escaper: direct
            listen: 127.0.0.1:0
            tls_server:
              certificate: relay.crt
              private_key: relay.key
              enable_client_auth: true
              ca_certificate: ca.crt
        cluster:
          region: {region}
          relay: {"{"}server: relay, tls_name: localhost{"}"}
        """;

    /// <summary>A gateway of <paramref name="region"/>: targets in <paramref name="subnet"/> belong to <paramref name="remote"/>.</summary>
    /// <param name="extraEscapers">More escaper entries (YAML list items at column 0).</param>
    /// <param name="extraServers">More server entries (YAML list items at column 0).</param>
    public string GatewayYaml(string region, string remote, string subnet, string fallback = "deny", string extraEscapers = "", string extraServers = "") => $"""
        {Resolver}
        {Direct}
          - name: deny
            type: dummy_deny
          - name: regions
            type: route_region
            local_next: direct
            fallback_node: {fallback}
            peer_negotiation_timeout: 3s
            tls_client: {"{"}ca_certificate: ca.crt, certificate: client.crt, private_key: client.key, no_default_ca_certificate: true{"}"}
            rules:
              - region: {remote}
                subnet_match: [{subnet}]
        {extraEscapers}
        server:
          - name: http
            type: http_proxy
            escaper: regions
            listen: 127.0.0.1:0
        {extraServers}
        cluster:
          region: {region}
        """;

    public string Write(string name, string yaml)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>An in-process node; the task log goes to <paramref name="taskLog"/> (a <see cref="Logging.SharedLog"/> to read it while the node runs, or <see cref="TextWriter.Null"/>).</summary>
    public async Task<NodeHost> StartAsync(string name, string yaml, int clusterPort, IReadOnlyList<string> seeds, TextWriter taskLog)
    {
        var main = Write(name + ".yml", yaml);
        var config = ConfigLoader.Load(main);
        return await NodeHost.StartAsync(config, new NodeOptions { ConfigPath = main, ClusterPort = clusterPort, Seeds = seeds, Control = "127.0.0.1:0" },
            taskLog);
    }

    public void Dispose()
    {
        _certs.Dispose();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
