using System.Net;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;

namespace Proxy.Tests.Config;

public sealed class ConfigLoaderSectionsTests
{
    private static ProxyConfig Load(string yaml)
    {
        using var dir = new TempConfigDir();
        return ConfigLoader.Load(dir.Write("g3proxy.yaml", yaml));
    }

    [Fact]
    public void MainSections_MapOrWarn()
    {
        var config = Load("""
            runtime:
              thread_number: 4
              thread_name: t
              server_offline_delay: 8s
              task_quit_timeout: 10min
            worker: {}
            controller:
              local: {recv_timeout: 30}
            log: stdout
            stat:
              target: {udp: {address: 10.0.0.1:9125, bind_ip: 10.0.0.2}}
              prefix: edge
              emit_duration: 1s
              cache_size: 1MiB
            control: {listen: "0.0.0.0:9200", token: s3cret}
            cluster:
              region: eu
              roles: [edge, relay]
              seeds: 10.0.0.1:4053
              port: 4053
              advertised_relays: [r1]
            """);
        Assert.Equal(4, config.Runtime.ThreadNumber);
        Assert.Equal(TimeSpan.FromSeconds(8), config.Runtime.ServerOfflineDelay);
        Assert.Equal(TimeSpan.FromMinutes(10), config.Runtime.TaskQuitTimeout);
        Assert.Equal(LogDriver.Stdout, config.Log.Task.Driver);
        Assert.Equal(LogDriver.Stdout, config.Log.Resolve.Driver);
        Assert.Equal("10.0.0.1:9125", config.Stat!.TargetUdp);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), config.Stat.TargetUdpBindIp);
        Assert.Equal("edge", config.Stat.Prefix);
        Assert.Equal(TimeSpan.FromSeconds(1), config.Stat.EmitInterval);
        Assert.Equal(1 << 20, config.Stat.CacheSize);
        Assert.Equal(new ControlConfig { Listen = "0.0.0.0:9200", Token = "s3cret" }, config.Control);
        Assert.Equal("eu", config.Cluster.Region);
        Assert.Equal(["edge", "relay"], config.Cluster.Roles);
        Assert.Equal(["10.0.0.1:4053"], config.Cluster.Seeds);
        Assert.Equal(4053, config.Cluster.Port);
        Assert.Contains(config.Warnings, w => w.Key == "thread_name" && w.Message.Contains("no effect"));
        Assert.Contains(config.Warnings, w => w.Key == "controller" && w.Message.Contains("no effect"));
    }

    [Fact]
    public void Worker_EachKeyWarned_UnknownRefused()
    {
        var config = Load("worker:\n  thread_number: 2\n  sched_affinity: true\n");
        Assert.Contains(config.Warnings, w => w.ToString() == "g3proxy.yaml:2: worker: key 'thread_number' has no effect in G3Actors");
        Assert.Contains(config.Warnings, w => w.Key == "sched_affinity");
        Assert.Throws<ConfigException>(() => Load("worker:\n  threads: 2\n"));
    }

    [Fact]
    public void LogMap_DefaultAppliesToUnsetTypes()
    {
        var log = Load("log:\n  default: stdout\n  task: {async_channel_size: 10}\n").Log;
        Assert.Equal(LogDriver.Discard, log.Task.Driver);
        Assert.Equal(LogDriver.Stdout, log.Escape.Driver);
        Assert.Equal(LogDriver.Stdout, log.Audit.Driver);
    }

    [Fact]
    public void HttpProxy_DefaultsAndMappedKeys()
    {
        var config = Load("""
            server:
              - name: d
                type: http_proxy
                escaper: e
              - name: h
                type: http_proxy
                escaper: e
                listen: "[::]:8080"
                tls_client: false
                local_server_name: [proxy.local, 127.0.0.1]
                tcp_sock_speed_limit: 100M
                req_header_max_size: 32KiB
                task_idle_check_interval: 1s
                http_forward_upstream_keepalive: {enable: false, idle_expire: 30s}
                ingress_net_filter: {forbid: 10.0.0.0/8, default: permit}
                dst_port_filter: [80, 443]
                dst_host_filter_set: {exact_match: {forbid: evil.example}, child: {default: permit}}
            escaper: [{name: e, type: dummy_deny}]
            """);
        var d = (HttpProxyServerConfig)config.Servers[0];
        Assert.Equal(TlsClientConfig.Default, d.TlsClient);
        Assert.Equal(64 * 1024, d.ReqHeaderMaxSize);
        Assert.Equal(TimeSpan.FromMinutes(5), d.PipelineReadIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), d.TaskIdleCheckInterval);
        Assert.Equal(5, d.TaskIdleMaxCount);
        Assert.Null(d.Listen);

        var h = (HttpProxyServerConfig)config.Servers[1];
        Assert.Equal(new IPEndPoint(IPAddress.Parse("::"), 8080), h.Listen!.Address);
        Assert.Null(h.TlsClient);
        Assert.Equal(["proxy.local", "127.0.0.1"], h.LocalServerName);
        Assert.Equal(new TcpSockSpeedLimit(10, 100_000_000, 100_000_000), h.TcpSockSpeedLimit);
        Assert.Equal(32 * 1024, h.ReqHeaderMaxSize);
        Assert.Equal(TimeSpan.FromSeconds(2), h.TaskIdleCheckInterval); // g3's minimum
        Assert.False(h.UpstreamKeepaliveEnable);
        Assert.Equal(TimeSpan.FromSeconds(30), h.UpstreamKeepaliveIdleExpire);
        Assert.True(h.IngressNetworkFilter!.Check(IPAddress.Parse("10.1.1.1")).IsForbidden());
        Assert.False(h.IngressNetworkFilter.Check(IPAddress.Loopback).IsForbidden());
        Assert.False(h.DstPortFilter!.Check(443).IsForbidden());
        Assert.True(h.DstHostFilterSet!.Check("evil.example").IsForbidden());
    }

    [Fact]
    public void Listen_Forms()
    {
        var config = Load("""
            server:
              - {name: a, type: dummy_close, listen: 10086}
              - {name: b, type: dummy_close, listen: "127.0.0.1:81"}
              - {name: c, type: dummy_close, listen: {address: "0.0.0.0:82", backlog: 100, ipv6_only: true, instance: 3}}
            """);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("::"), 10086), config.Servers[0].Listen!.Address);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:81"), config.Servers[1].Listen!.Address);
        Assert.Equal(new TcpListenConfig { Address = IPEndPoint.Parse("0.0.0.0:82"), Backlog = 100, Ipv6Only = true, Instance = 3 },
            config.Servers[2].Listen);
    }

    [Fact]
    public void DirectFixed_MappedKeys()
    {
        var config = Load("""
            escaper:
              - name: d
                type: direct_fixed
                resolver: r
                resolve_strategy: IPv4Only
                bind_ip: [192.0.2.1, "2001:db8::1"]
                tcp_connect: {max_retry: 0, each_timeout: 3s}
                tcp_keepalive: 30s
                egress_network_filter: {default: allow, allow: 127.0.0.1}
                udp_sock_speed_limit: 10M
            resolver:
              - name: r
                type: c-ares
                server: "1.1.1.1 [2606:4700::1111]:5353"
                each_timeout: 500
            """);
        var d = Assert.IsType<DirectFixedEscaperConfig>(config.Escapers[0]);
        Assert.Equal(ResolveQuery.Ipv4Only, d.ResolveStrategy.Query);
        Assert.True(d.NoIpv6);
        Assert.Equal(2, d.BindIp.Count);
        Assert.Equal(TimeSpan.FromSeconds(3), d.TcpConnect.EachTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), d.TcpKeepalive?.IdleTime);
        Assert.Equal(AclAction.Permit, d.EgressNetworkFilter.Check(IPAddress.Loopback));
        Assert.True(d.EgressNetworkFilter.Check(IPAddress.Parse("127.0.0.53")).IsForbidden());
        Assert.Contains(config.Warnings, w => w.Key == "udp_sock_speed_limit");

        var r = Assert.IsType<CAresResolverConfig>(config.Resolvers[0]);
        Assert.Equal([IPEndPoint.Parse("1.1.1.1:53"), IPEndPoint.Parse("[2606:4700::1111]:5353")], r.Servers);
        Assert.Equal(TimeSpan.FromMilliseconds(500), r.EachTimeout);
        Assert.Equal(3, r.EachTries);
    }

    [Fact]
    public void CAres_Defaults()
    {
        var r = (CAresResolverConfig)Load("resolver: [{name: r, type: c-ares}]\n").Resolvers[0];
        Assert.Empty(r.Servers);
        Assert.Equal(TimeSpan.FromMilliseconds(2000), r.EachTimeout);
        Assert.Equal(3, r.EachTries);
    }

    [Fact]
    public void DirectFixed_WithoutResolver_IsRefused()
    {
        var e = Assert.Throws<ConfigException>(() => Load("escaper: [{name: d, type: direct_fixed}]\n"));
        Assert.Contains("g3proxy.yaml:1: escaper 'd': missing required key 'resolver'", e.Message);
    }
}
