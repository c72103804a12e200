using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Sections;

/// <summary>G3Actors-only <c>control:</c> (pbm endpoint) and <c>cluster:</c> sections.</summary>
internal static class ControlSection
{
    private static readonly KeyTable<ControlConfig> ControlKeys = new KeyTable<ControlConfig>()
        .On("listen", (c, v, _) => c with { Listen = YamlValue.String(v, "a listen address") })
        .On("token", (c, v, _) => c with { Token = YamlValue.String(v, "a token") })
        .On("tls_certificate", (c, v, s) => c with { TlsCertificate = PemLoader.FromYaml(v, s) })
        .On("tls_private_key", (c, v, s) => c with { TlsPrivateKey = PemLoader.FromYaml(v, s) });

    private static readonly KeyTable<ClusterConfig> ClusterKeys = new KeyTable<ClusterConfig>()
        .On("region", (c, v, _) => c with { Region = YamlValue.String(v, "a region name") })
        .On("roles", (c, v, _) => c with { Roles = Strings(v) })
        .On("seeds", (c, v, _) => c with { Seeds = Strings(v) })
        .On("hostname", (c, v, _) => c with { Hostname = YamlValue.String(v, "a host name") })
        .On("port", (c, v, _) => c with { Port = YamlValue.Int32(v, 0, 65535) })
        .On("advertised_relays", (c, v, _) => c with { AdvertisedRelays = Strings(v) })
        .On("relay", (c, v, scope) => c with { Relay = ParseRelay(v, scope) });

    private static readonly KeyTable<RelayAdvertConfig> RelayKeys = new KeyTable<RelayAdvertConfig>()
        .On("server", (c, v, _) => c with { Server = YamlValue.String(v, "a server name") })
        .On("address", (c, v, _) => c with { Address = YamlValue.String(v, "a host:port address") })
        .On("tls_name", (c, v, _) => c with { TlsName = YamlValue.String(v, "a TLS name") });

    public static ControlConfig ParseControl(YamlNode value, EntryScope scope) =>
        ControlKeys.Apply(new ControlConfig(), YamlValue.Map(value), scope.ForEntry("control"));

    public static ClusterConfig ParseCluster(YamlNode value, EntryScope scope) =>
        ClusterKeys.Apply(new ClusterConfig(), YamlValue.Map(value), scope.ForEntry("cluster"));

    private static RelayAdvertConfig ParseRelay(YamlNode value, EntryScope scope)
    {
        var relay = RelayKeys.Apply(new RelayAdvertConfig(), YamlValue.Map(value), scope);
        if (relay.Server.Length == 0) scope.Error(value, "relay", "cluster.relay needs 'server'");
        return relay;
    }

    private static IReadOnlyList<string> Strings(YamlNode v) => YamlValue.List(v).Select(n => YamlValue.String(n)).ToList();
}
