using System.Diagnostics;
using System.Net;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Tests.Integration;

/// <summary>An http_proxy with <c>user_group</c>: Basic login, the user's rules and its limits, seen by real clients.</summary>
[Collection(NodeCollection.Name)]
public sealed class HttpProxyUserTests
{
    // g3's test vector: password "toor"
    internal const string RootToken = "{salt: 4e8f8a4e37f0fa1b, md5: d9d963915b9815d4cc39c196c2868900, sha1: c28640e7b1a3d9db98187632aeba99c0cff0ffd4}";

    internal static string Yaml(string rootExtra = "", string groupExtra = "", string serverExtra = "") =>
        ProxyUnderTest.HttpProxyYaml(serverExtra: "user_group: staff\nauth_realm: lab\n" + serverExtra) + $"""

        user_group:
          - name: staff
            static_users:
              - name: root
                token: {RootToken}
        {Indent(rootExtra, 8)}
        {Indent(groupExtra, 4)}
        """;

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : new string(' ', spaces) + l));

    private static string Get(string url, string? auth = null, string extra = "") =>
        $"GET {url} HTTP/1.1\r\nHost: {new Uri(url).Authority}\r\n" + (auth is null ? "" : $"Proxy-Authorization: {auth}\r\n") + extra + "\r\n";

    /// <summary>An HttpClient that answers the proxy's 407 with these credentials.</summary>
    internal static HttpClient Client(ProxyUnderTest proxy, string user = "root", string password = "toor") =>
        new(new SocketsHttpHandler
        {
            Proxy = new WebProxy(proxy.ProxyUri()) { Credentials = new NetworkCredential(user, password) },
            UseProxy = true,
            // requests that overlap each get their own connection
            MaxConnectionsPerServer = 16,
        }) { Timeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task NoCredentials_Gets407WithRealm_ThenLoginOnSameConnection_LogsUser()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        await raw.SendAsync(Get(origin.Url("/hello")));
        var challenge = await raw.ReadResponseAsync();
        Assert.Equal(407, challenge.Status);
        Assert.Equal("Basic realm=\"lab\"", challenge.Header("Proxy-Authenticate"));
        Assert.Equal("keep-alive", challenge.Header("Connection"));
        Assert.Empty(origin.Seen);

        await raw.SendAsync(Get(origin.Url("/hello"), BasicAuth.Encode("root", "toor")));
        var ok = await raw.ReadResponseAsync();
        Assert.Equal(200, ok.Status);
        Assert.Equal("hello", ok.BodyText);
        // the credentials are the proxy's, never forwarded
        Assert.DoesNotContain("Proxy-Authorization", origin.Seen.Single().Headers.Keys, StringComparer.OrdinalIgnoreCase);
        Assert.NotEmpty(await proxy.WaitForLogAsync(l => l.Contains("user=root") && l.Contains("rsp_status=200")));
    }

    [Fact]
    public async Task HttpClientAndCurl_WithCredentials_PassForwardAndConnect()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml());
        using var client = Client(proxy);
        Assert.Equal("hello", await client.GetStringAsync(origin.Url("/hello")));

        var (code, stdout, err) = await HttpForwardTests.RunAsync("curl",
            $"-sS --max-time 30 -k -p -x {proxy.ProxyUri()} -U root:toor {origin.HttpsUrl("/hello")}");
        Assert.True(code == 0, $"curl exit {code}: {err}");
        Assert.Equal("hello", stdout);
        var (badCode, badOut, _) = await HttpForwardTests.RunAsync("curl",
            $"-s --max-time 30 -o /dev/null -w %{{http_code}} -x {proxy.ProxyUri()} -U root:wrong {origin.Url("/hello")}");
        Assert.Equal(0, badCode);
        Assert.Equal("407", badOut);
    }

    [Fact]
    public async Task WrongPasswordTwiceInARow_ClosesTheConnection()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        await raw.SendAsync(Get(origin.Url("/hello"), BasicAuth.Encode("root", "wrong")));
        var first = await raw.ReadResponseAsync();
        Assert.Equal(407, first.Status);
        Assert.Equal("keep-alive", first.Header("Connection"));

        await raw.SendAsync(Get(origin.Url("/hello"), BasicAuth.Encode("root", "wrong")));
        var second = await raw.ReadResponseAsync();
        Assert.Equal(407, second.Status);
        Assert.Equal("close", second.Header("Connection"));
        Assert.True(await raw.ClosedByPeerAsync());
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task UnknownUser_FallsToAnonymousUser_KnownUserWithWrongPasswordDoesNot()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(groupExtra: "anonymous_user: {name: anon}"));

        using (var stranger = Client(proxy, "nobody", "whatever"))
            Assert.Equal("hello", await stranger.GetStringAsync(origin.Url("/hello")));
        Assert.NotEmpty(await proxy.WaitForLogAsync(l => l.Contains("user=anon")));
        using var noCreds = proxy.Client();
        Assert.Equal("hello", await noCreds.GetStringAsync(origin.Url("/hello")));

        // HttpClient sends credentials only after a 407, which anonymous never gives: a raw request shows it.
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());
        await raw.SendAsync(Get(origin.Url("/hello"), BasicAuth.Encode("root", "wrong")));
        Assert.Equal(407, (await raw.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task BlockedUser_Gets403AfterTheDelay_AndTheConnectionCloses()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(rootExtra: "block_and_delay: 1s"));
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        var sw = Stopwatch.StartNew();
        await raw.SendAsync(Get(origin.Url("/hello"), BasicAuth.Encode("root", "toor")));
        var rsp = await raw.ReadResponseAsync();
        Assert.Equal(403, rsp.Status);
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(950), $"answered after {sw.Elapsed}");
        Assert.True(await raw.ClosedByPeerAsync());
        Assert.Empty(origin.Seen);
    }
}
