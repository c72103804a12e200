using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Proxy.Actors.Cluster;
using Proxy.Node;
using Proxy.Tests.Cluster;
using Proxy.Tests.Node;
using Proxy.Tests.Resolvers;
using Xunit.Abstractions;

namespace Proxy.Tests.Integration;

/// <summary>
/// Membership moves the traffic: a gateway of region a (in this process, with direct as fallback_node)
/// and two relays of region b as processes. A frozen (SIGSTOP) or killed relay leaves the gateway's
/// directory, and requests go elsewhere without waiting for a connect error.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const int SigKill = 9, SigCont = 18, SigStop = 19;

    [Fact]
    public async Task FrozenRelay_LeavesTheDirectory_TrafficMoves_AndComesBackAfterSigcont()
    {
        await using var f = await RelayFleet.StartAsync(output);
        var frozen = f.Preferred();
        Assert.Equal(f.Hop(frozen), await f.ViaAsync());

        var clock = Stopwatch.StartNew();
        f.Relays[frozen].Signal(SigStop);
        Assert.True(await Eventually.True(() => !f.Listed(frozen), TimeSpan.FromSeconds(15)), "the frozen relay stayed in the directory");
        var dropped = clock.ElapsedMilliseconds;
        var via = await f.ViaAsync();
        output.WriteLine($"frozen relay dropped {dropped} ms after SIGSTOP; the next request went {via} at {clock.ElapsedMilliseconds} ms");
        Assert.NotEqual(f.Hop(frozen), via);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), $"traffic moved only after {clock.Elapsed}");

        clock.Restart();
        f.Relays[frozen].Signal(SigCont);
        Assert.True(await Eventually.True(() => f.Preferred() == frozen, TimeSpan.FromSeconds(45)), "the thawed relay was not listed again");
        output.WriteLine($"thawed relay listed again {clock.ElapsedMilliseconds} ms after SIGCONT");
        Assert.Equal(f.Hop(frozen), await f.ViaAsync());
    }

    [Fact]
    public async Task KilledRelay_OnceDropped_NoRequestFails_ThenFallbackWhenNoneIsLeft()
    {
        await using var f = await RelayFleet.StartAsync(output);
        var killed = f.Preferred();
        var survivor = 1 - killed;

        var clock = Stopwatch.StartNew();
        f.Relays[killed].Signal(SigKill);
        Assert.True(await Eventually.True(() => !f.Listed(killed), TimeSpan.FromSeconds(15)), "the killed relay stayed in the directory");
        output.WriteLine($"killed relay dropped {clock.ElapsedMilliseconds} ms after SIGKILL");
        var vias = new List<string>();
        for (var i = 0; i < 8; i++) vias.Add(await f.ViaAsync()); // each asserts 200
        output.WriteLine("after the drop: " + string.Join(", ", vias));
        Assert.DoesNotContain(f.Hop(killed), vias);

        // Once region b's directory lists the survivor again (it may have hosted nothing), it carries the traffic.
        Assert.True(await Eventually.True(() => f.Listed(survivor), TimeSpan.FromSeconds(40)), "the survivor is not listed");
        output.WriteLine($"survivor listed {clock.ElapsedMilliseconds} ms after SIGKILL");
        Assert.Equal(f.Hop(survivor), await f.ViaAsync());

        clock.Restart();
        f.Relays[survivor].Signal(SigKill);
        Assert.True(await Eventually.True(() => !f.Listed(survivor), TimeSpan.FromSeconds(15)), "the last relay stayed in the directory");
        output.WriteLine($"last relay dropped {clock.ElapsedMilliseconds} ms after SIGKILL");
        Assert.Equal("regions:b:fallback=direct", await f.ViaAsync());
    }

    /// <summary>The gateway (in process, the seed) and two relay processes of region b, with an origin to reach.</summary>
    private sealed class RelayFleet : IAsyncDisposable
    {
        private readonly RegionFleet _files;
        private readonly StringWriter _gatewayLog = new();
        private readonly string[] _hops = new string[2];
        private NodeHost _gateway = null!;
        private TestOrigin _origin = null!;
        private ClusterView _view = null!;

        private RelayFleet(RegionFleet files) => _files = files;

        public NodeProcess[] Relays { get; } = new NodeProcess[2];
        public int[] RelayClusterPorts { get; } = new int[2];

        public static async Task<RelayFleet> StartAsync(ITestOutputHelper output)
        {
            var f = new RelayFleet(new RegionFleet());
            try
            {
                f._origin = await TestOrigin.StartAsync();
                var seedPort = ClusterTestNodes.FreePort();
                var clock = Stopwatch.StartNew();
                f._gateway = await f._files.StartAsync("gateway", f._files.GatewayYaml("a", "b", "127.0.0.0/8", fallback: "direct"),
                    seedPort, [$"127.0.0.1:{seedPort}"], f._gatewayLog);
                f._view = ClusterView.Get(f._gateway.System);
                var relayMain = f._files.Write("relay.yml", f._files.RelayYaml("b"));
                for (var i = 0; i < 2; i++)
                {
                    f.RelayClusterPorts[i] = ClusterTestNodes.FreePort();
                    f.Relays[i] = NodeProcess.Start($"-c \"{relayMain}\" --cluster-port {f.RelayClusterPorts[i]} --seed 127.0.0.1:{seedPort} --control 127.0.0.1:0");
                }
                Assert.True(await Eventually.True(() => ClusterTestNodes.AllUp(f._gateway.ClusterSystem, 3), TimeSpan.FromSeconds(40)),
                    "three members never became Up: " + f.Relays[0].Stdout + f.Relays[0].Stderr);
                output.WriteLine($"three nodes (gateway + 2 relay processes) Up {clock.ElapsedMilliseconds} ms after the gateway started");
                Assert.True(await Eventually.True(() => f.Listed(0) && f.Listed(1), TimeSpan.FromSeconds(30)), "the gateway never listed both relays");
                output.WriteLine($"both relays listed by the gateway {clock.ElapsedMilliseconds} ms after start");
                for (var i = 0; i < 2; i++) f._hops[i] = "regions:b:relay=" + f.Relay(i)!.Address;
                return f;
            }
            catch
            {
                await f.DisposeAsync();
                throw;
            }
        }

        private RelayEndpoint? Relay(int i) =>
            _view.Relays.LiveRelays("b").FirstOrDefault(r => r.Member.EndsWith($":{RelayClusterPorts[i]}", StringComparison.Ordinal));

        public bool Listed(int i) => Relay(i) is not null;

        public string Hop(int i) => _hops[i];

        /// <summary>The relay route_region picks now (lowest load, then the directory's order).</summary>
        public int Preferred()
        {
            var first = _view.Relays.LiveRelays("b").OrderBy(r => r.Load).FirstOrDefault();
            return first is null ? -1 : first.Member.EndsWith($":{RelayClusterPorts[0]}", StringComparison.Ordinal) ? 0 : 1;
        }

        /// <summary>
        /// One HTTPS request through the gateway on a fresh connection (a CONNECT tunnel closed after
        /// it, so no pooled connection keeps a relay's load up); returns the hop the task log names.
        /// </summary>
        public async Task<string> ViaAsync()
        {
            var before = Tasks().Length;
            using (var client = new HttpClient(new SocketsHttpHandler
                   {
                       Proxy = new WebProxy($"http://{_gateway.Listening["http"][0]}"),
                       UseProxy = true,
                       SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
                   }) { Timeout = TimeSpan.FromSeconds(20) })
            {
                var rsp = await client.GetAsync(_origin.HttpsUrl("/hello"));
                Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
            }
            Assert.True(await Eventually.True(() => Tasks().Length > before, TimeSpan.FromSeconds(10)), "no task log line");
            return Regex.Match(Tasks()[^1], "escaper=\"([^\"]+)\"").Groups[1].Value;
        }

        private string[] Tasks() =>
            _gatewayLog.ToString().Split('\n').Where(l => l.Contains("log_type=Task", StringComparison.Ordinal)).ToArray();

        public async ValueTask DisposeAsync()
        {
            foreach (var r in Relays)
                if (r is not null) await r.DisposeAsync();
            if (_gateway is not null) await _gateway.DisposeAsync();
            if (_origin is not null) await _origin.DisposeAsync();
            _files.Dispose();
        }
    }
}
