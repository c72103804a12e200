using Proxy.Tests.Logging;
using System.Net;
using Proxy.Actors.Config;
using Proxy.Node;

namespace Proxy.Tests.Integration;

/// <summary>A node started in-process from a main.yml written for one test, with its task log captured.</summary>
public sealed class ProxyUnderTest : IAsyncDisposable
{
    private readonly string _dir;

    private ProxyUnderTest(string dir, NodeHost node, SharedLog log)
    {
        _dir = dir;
        Node = node;
        TaskLog = log;
    }

    public NodeHost Node { get; }
    /// <summary>The directory holding main.yml and the extra files (tests rewrite them before a reload).</summary>
    public string Dir => _dir;
    public SharedLog TaskLog { get; }

    /// <summary>A direct escaper that may reach loopback (g3 forbids it by default) and one http_proxy.</summary>
    public static string HttpProxyYaml(string serverExtra = "", string escaperExtra = "", string escaperFilter = "egress_network_filter: {default: allow, allow: [127.0.0.1, '::1']}") => $"""
        log: stdout
        resolver:
          - name: default
            type: c-ares
            server: 127.0.0.1
        escaper:
          - name: direct
            type: direct_fixed
            resolver: default
            resolve_strategy: IPv4First
            {escaperFilter}
        {Indent(escaperExtra, 4)}
        server:
          - name: http
            type: http_proxy
            escaper: direct
            listen: 127.0.0.1:0
        {Indent(serverExtra, 4)}
        """;

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : new string(' ', spaces) + l));

    /// <param name="options">Adjusts the node's options (cluster port, seeds, region) before the start.</param>
    public static async Task<ProxyUnderTest> StartAsync(string yaml, IDictionary<string, string>? extraFiles = null,
        Func<NodeOptions, NodeOptions>? options = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "g3a-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        if (extraFiles is not null)
            foreach (var (name, text) in extraFiles) await File.WriteAllTextAsync(Path.Combine(dir, name), text);
        var main = Path.Combine(dir, "main.yml");
        await File.WriteAllTextAsync(main, yaml);
        var config = ConfigLoader.Load(main);
        var log = new SharedLog();
        var nodeOptions = new NodeOptions { ConfigPath = main, ClusterPort = 0, Control = "127.0.0.1:0" };
        if (options is not null) nodeOptions = options(nodeOptions);
        var node = await NodeHost.StartAsync(config, nodeOptions, log);
        return new ProxyUnderTest(dir, node, log);
    }

    public IPEndPoint Endpoint(string server = "http") => Node.Listening[server][0];
    public Uri ProxyUri(string server = "http") => new($"http://{Endpoint(server)}");

    public HttpClient Client(bool allowAutoRedirect = false)
    {
        var handler = new SocketsHttpHandler
        {
            Proxy = new WebProxy(ProxyUri()),
            UseProxy = true,
            AllowAutoRedirect = allowAutoRedirect,
            AutomaticDecompression = DecompressionMethods.None,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The task log's whole lines that match (the logger writes from its own task; wait for a condition).</summary>
    public Task<string[]> WaitForLogAsync(Func<string, bool> match, int count = 1, int timeoutMs = 10000) =>
        TaskLog.WaitForLinesAsync(match, count, timeoutMs);

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
