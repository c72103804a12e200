using Proxy.Tests.Logging;
using Proxy.Actors.Relay;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Logging;
using Proxy.Actors.Guardian;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Servers;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Stats;

namespace Proxy.Tests.Integration;

/// <summary>
/// An http_proxy server built by hand from YAML, without a node, so its direct_fixed escaper can
/// get a fake <see cref="ISocketConnector"/> (hanging or unreachable connects are not producible
/// on loopback). Accepts on 127.0.0.1:0 and runs the http_proxy runtime per client,
/// exactly as the server actor does.
/// </summary>
public sealed class InjectedEscaperProxy : IAsyncDisposable
{
    private readonly string _dir;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly ServerContext _server;
    private readonly IServerRuntime _runtime;
    private readonly TaskLogger _logger;
    private readonly SharedLog _log = new();
    private readonly Task _loop;

    private InjectedEscaperProxy(string dir, ProxyConfig config, ISocketConnector connector)
    {
        _dir = dir;
        var server = config.Servers.OfType<HttpProxyServerConfig>().Single();
        var escaper = config.Escapers.OfType<DirectFixedEscaperConfig>().Single();
        var resolvers = new HandleRegistry<IResolver>(name => new DenyAllResolver(name));
        var escapers = new HandleRegistry<IEscaper>(name => new DummyDenyEscaper(name));
        escapers.Publish(escaper.Name, new DirectFixedEscaper(escaper, resolvers, connector));
        _logger = new TaskLogger(LogDriver.Stdout, _log);
        _server = new ServerContext(server, escapers, _logger, new ServerStats(), TimeProvider.System);
        _runtime = ServerRuntimeFactory.Create(server, _server, new ServerDeps(escapers, new HandleRegistry<ServerEntry>(_ => null!), _logger, TimeProvider.System));
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public static async Task<InjectedEscaperProxy> StartAsync(string yaml, ISocketConnector connector)
    {
        var dir = Path.Combine(Path.GetTempPath(), "g3a-inj-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var main = Path.Combine(dir, "main.yml");
        await File.WriteAllTextAsync(main, yaml);
        return new InjectedEscaperProxy(dir, ConfigLoader.Load(main), connector);
    }

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndpoint;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket s;
            try { s = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; }
            lock (_connections) _connections.Add(Task.Run(() => ConnectionRunner.RunAcceptedAsync(_runtime, s, _server, new ActivityTracker(_stop.Token), Stopwatch.GetTimestamp())));
        }
    }

    public Task<string[]> WaitForLogAsync(Func<string, bool> match, int count = 1, int timeoutMs = 10000) =>
        _log.WaitForLinesAsync(match, count, timeoutMs);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop;
        Task[] running;
        lock (_connections) running = [.. _connections];
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(30));
        await _runtime.DisposeAsync();
        _server.Dispose();
        await _logger.DisposeAsync();
        _stop.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
