using System.Net;
using System.Text.RegularExpressions;
using Proxy.Actors.Config.Auditors;
using Proxy.Node;
using Proxy.Tests.Audit;
using Proxy.Tests.Integration;
using Agent = Proxy.Actors.Audit.CertAgent.TlsCertAgent;

namespace Proxy.Tests.Node;

/// <summary><c>certgen</c> as an operator runs it: a process with g3fcgen's flags, answering a node's agent.</summary>
[Collection(NodeCollection.Name)]
public sealed partial class CertGenCliTests
{
    private static string WriteConfig(TestCa ca)
    {
        var dir = Directory.CreateTempSubdirectory("g3a-certgen-").FullName;
        File.WriteAllText(Path.Combine(dir, "ca.crt"), ca.CertPem);
        File.WriteAllText(Path.Combine(dir, "ca.key"), ca.KeyPem);
        var path = Path.Combine(dir, "certgen.yml");
        File.WriteAllText(path, "backend:\n  ca_certificate: ca.crt\n  ca_private_key: ca.key\n");
        return path;
    }

    [GeneratedRegex(@"certgen listening on udp (\S+)")]
    private static partial Regex Listening();

    [Fact]
    public async Task Certgen_ListensOnTheGivenAddress_AndAnAgentGetsACertificateThatChains()
    {
        using var ca = new TestCa();
        await using var process = NodeProcess.Start($"certgen -c \"{WriteConfig(ca)}\" --listen 127.0.0.1:0");
        var stdout = await process.WaitForStdoutAsync("certgen listening on udp");
        var endpoint = IPEndPoint.Parse(Listening().Match(stdout).Groups[1].Value);
        await using var agent = new Agent(new CertAgentConfig { QueryPeerAddr = endpoint }, TimeProvider.System);

        var result = await agent.FetchAsync("cli.example.com");

        Assert.True(result.Ok, result.Error + "\n" + process.Stderr);
        Assert.True(ca.Chains(result.Cert!.Leaf));
        process.Signal(15);
        await process.WaitForExitAsync(20_000);
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task Certgen_TestFlag_ChecksTheCa()
    {
        using var ca = new TestCa();
        using var other = new TestCa();
        var good = WriteConfig(ca);
        var bad = WriteConfig(ca);
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(bad)!, "ca.key"), other.KeyPem);

        var (okCode, okOut, okErr) = await NodeProcess.RunAsync($"certgen -t -c \"{good}\"");
        var (badCode, _, badErr) = await NodeProcess.RunAsync($"certgen -t -c \"{bad}\"");

        Assert.True(okCode == 0, okErr);
        Assert.Contains("OK", okOut);
        Assert.Equal(1, badCode);
        Assert.Contains("does not match", badErr);
    }

    [Theory]
    [InlineData(null, null, null, "127.0.0.1:2999")]
    [InlineData("port3001", null, null, "[::]:3001")]
    [InlineData("port3001", "127.0.0.2:4000", null, "127.0.0.2:4000")]
    [InlineData("port3001", "127.0.0.2:4000", "127.0.0.3:5000", "127.0.0.3:5000")]
    [InlineData("other", null, null, "127.0.0.1:2999")]
    public void ListenAddress_FollowsG3fcgenOrder(string? group, string? env, string? flag, string expected)
    {
        var address = CertGenCommand.ListenAddress(new IPEndPoint(IPAddress.Loopback, 2999), group, env, flag, out _);
        Assert.Equal(IPEndPoint.Parse(expected), address);
    }
}
