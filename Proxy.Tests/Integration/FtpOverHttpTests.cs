using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Xunit.Abstractions;

namespace Proxy.Tests.Integration;

/// <summary>curl's ftp:// through http_proxy against vsftpd: list, download, upload, delete, and g3's failure statuses.</summary>
[Collection(NodeCollection.Name)]
public sealed class FtpOverHttpTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("g3a-ftpc-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static Task<(int Code, string Stdout, string Stderr)> Curl(ProxyUnderTest proxy, string args) =>
        HttpForwardTests.RunAsync("curl", $"-sS --max-time 60 -x {proxy.ProxyUri()} {args}", 120_000);

    [Fact]
    public async Task Curl_ListsDownloadsUploadsDeletes_ThroughTheProxy_WithG3Statuses()
    {
        using var ftp = new Vsftpd();
        var content = RandomNumberGenerator.GetBytes(700_000);
        var source = Path.Combine(ftp.Pub, "data.bin");
        await File.WriteAllBytesAsync(source, content);
        File.SetUnixFileMode(source, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "ftp_client: {greeting_timeout: 5s, control: {command_timeout: 10s}}"));
        var baseUri = $"ftp://anonymous:me%40example.com@127.0.0.1:{ftp.Port}";

        // a directory: the server's LIST lines as text/plain
        var (code, listing, err) = await Curl(proxy, $"{baseUri}/pub/");
        Assert.True(code == 0, err);
        Assert.Contains("data.bin", listing);
        Assert.Contains("700000", listing);

        // a file: its bytes, with its SIZE as Content-Length
        var downloaded = Path.Combine(_dir, "down.bin");
        (code, var status, err) = await Curl(proxy, $"-o {downloaded} -w %{{http_code}} {baseUri}/pub/data.bin");
        Assert.True(code == 0, err);
        Assert.Equal("200", status);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(content)), Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(downloaded))));

        // upload with -T (PUT), then it is on the server and can be downloaded back
        var upload = RandomNumberGenerator.GetBytes(300_000);
        var local = Path.Combine(_dir, "up.bin");
        await File.WriteAllBytesAsync(local, upload);
        (code, status, err) = await Curl(proxy, $"-w %{{http_code}} -T {local} {baseUri}/pub/up.bin");
        Assert.True(code == 0, err);
        Assert.Equal("200", status);
        Assert.Equal(upload, await File.ReadAllBytesAsync(Path.Combine(ftp.Pub, "up.bin")));
        var back = Path.Combine(_dir, "back.bin");
        (code, _, err) = await Curl(proxy, $"-o {back} {baseUri}/pub/up.bin");
        Assert.True(code == 0, err);
        Assert.Equal(upload, await File.ReadAllBytesAsync(back));

        // delete, and a second delete finds nothing: 404
        (code, status, err) = await Curl(proxy, $"-o /dev/null -w %{{http_code}} -X DELETE {baseUri}/pub/up.bin");
        Assert.True(code == 0, err);
        Assert.Equal("200", status);
        Assert.False(File.Exists(Path.Combine(ftp.Pub, "up.bin")));
        (_, status, _) = await Curl(proxy, $"-o /dev/null -w %{{http_code}} -X DELETE {baseUri}/pub/up.bin");
        Assert.Equal("404", status);

        // a login the server refuses (530): 401 with the ftp:// realm
        (code, var head, err) = await Curl(proxy, $"-D - -o /dev/null ftp://bob:wrong@127.0.0.1:{ftp.Port}/pub/");
        Assert.True(code == 0, err);
        Assert.StartsWith("HTTP/1.1 401", head);
        Assert.Contains($"WWW-Authenticate: Basic realm=\"ftp://bob@127.0.0.1:{ftp.Port}\"", head);
        // Authorization: Basic replaces the URI's login, as in g3
        (code, listing, err) = await Curl(proxy, $"-H \"Authorization: Basic {Convert.ToBase64String("anonymous:x"u8)}\" ftp://bob:wrong@127.0.0.1:{ftp.Port}/pub/");
        Assert.True(code == 0, err);
        Assert.Contains("data.bin", listing);

        // methods g3 does not map: 501
        (_, status, _) = await Curl(proxy, $"-o /dev/null -w %{{http_code}} -X POST -d x {baseUri}/pub/data.bin");
        Assert.Equal("501", status);

        // a listing (chunked) and a download (sized) leave the connection open for the next request
        (code, _, err) = await Curl(proxy, $"-v -o /dev/null -o /dev/null {baseUri}/pub/ {baseUri}/pub/data.bin");
        Assert.True(code == 0, err);
        Assert.Contains("Re-using existing connection", err);

        var logs = await proxy.WaitForLogAsync(l => l.Contains("task_type=FtpOverHttp"), count: 11);
        Assert.Equal(11, logs.Length);
        Assert.DoesNotContain(logs, l => l.Contains("me%40example.com"));
    }

    [Fact]
    public async Task FtpServerThatNeverAnswers_Gets504WithinTheGreetingTimeout_NodeKeepsServing()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
                held.Add(await silent.AcceptSocketAsync(stop.Token));
        });
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "ftp_client: {greeting_timeout: 2s}"));
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        var sw = Stopwatch.StartNew();
        var (code, status, err) = await Curl(proxy, $"-o /dev/null -w %{{http_code}} ftp://127.0.0.1:{port}/");
        sw.Stop();
        output.WriteLine($"504 after {sw.Elapsed.TotalSeconds:F2} s");
        Assert.True(code == 0, err);
        Assert.Equal("504", status);
        Assert.InRange(sw.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(20));
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("task_type=FtpOverHttp") && l.Contains("reason=UpstreamAppTimeout")));

        // the node goes on serving
        (code, var body, err) = await Curl(proxy, origin.Url("/hello"));
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        stop.Cancel();
        foreach (var s in held) s.Dispose();
    }

    [Fact]
    public async Task ServerWithoutEpsv_ListsOverPasv_CappedAtListMaxEntries()
    {
        await using var ftp = new ScriptedFtpServer(listing: Enumerable.Range(1, 50).Select(i => $"-rw-r--r-- 1 0 0 {i} Dec 01 12:00 file{i}").ToArray());
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "ftp_client: {transfer: {list_max_entries: 20}}"));
        var (code, listing, err) = await Curl(proxy, $"ftp://u:p@127.0.0.1:{ftp.Port}/dir/");
        Assert.True(code == 0, err);
        var lines = listing.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(20, lines.Length);
        Assert.EndsWith("file20", lines[^1]);
        // always_try_epsv: EPSV first, refused, then PASV; the login and the path as sent
        var commands = ftp.Commands.ToArray();
        Assert.Contains("USER u", commands);
        Assert.Contains("PASS p", commands);
        Assert.True(Array.IndexOf(commands, "EPSV") < Array.IndexOf(commands, "PASV"), string.Join(" | ", commands));
        Assert.Contains("LIST dir", commands);
    }

    [Fact]
    public async Task Greeting421_Gets503()
    {
        await using var ftp = new ScriptedFtpServer(greeting: "421 too many users");
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var (code, status, err) = await Curl(proxy, $"-o /dev/null -w %{{http_code}} ftp://127.0.0.1:{ftp.Port}/");
        Assert.True(code == 0, err);
        Assert.Equal("503", status);
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("task_type=FtpOverHttp") && l.Contains("reason=UpstreamAppUnavailable")));
    }

    [Fact]
    public async Task ServerSocketSpeedLimit_PacesTheDownload()
    {
        using var ftp = new Vsftpd();
        var content = RandomNumberGenerator.GetBytes(700_000);
        await File.WriteAllBytesAsync(Path.Combine(ftp.Pub, "slow.bin"), content);
        File.SetUnixFileMode(Path.Combine(ftp.Pub, "slow.bin"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "tcp_sock_speed_limit: 200K"));
        var file = Path.Combine(_dir, "slow.bin");
        var sw = Stopwatch.StartNew();
        var (code, _, err) = await Curl(proxy, $"-o {file} ftp://127.0.0.1:{ftp.Port}/pub/slow.bin");
        sw.Stop();
        output.WriteLine($"700 KB under a 200K socket limit: {sw.Elapsed.TotalSeconds:F2} s");
        Assert.True(code == 0, err);
        Assert.Equal(content, await File.ReadAllBytesAsync(file));
        // 200 KiB per 1.024 s slice, the first at once: four slices, about 3.1 s
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(2.5), $"took {sw.Elapsed}");
    }
}
