using Proxy.Control.Palettes;
using Proxy.Pbm.Interactive;

namespace Proxy.Tests.Control;

public sealed class CompleterTests
{
    private static readonly Completer Completer = new(NodePalettes.All, new Dictionary<string, IReadOnlyList<string>>
    {
        ["server"] = ["http", "socks"],
        ["escaper"] = ["direct"],
        ["member"] = ["127.0.0.1:2551"],
    });

    [Theory]
    [InlineData("", "actor")]
    [InlineData("li", "list")]
    [InlineData("list ", "auditor,escaper,resolver,server,user-group")]
    [InlineData("list s", "server")]
    [InlineData("server ", "http,socks")]
    [InlineData("server h", "http")]
    [InlineData("server anything ", "status")]
    [InlineData("escaper direct p", "publish,published")]
    [InlineData("reload-", "reload-auditor,reload-escaper,reload-resolver,reload-server,reload-user-group")]
    [InlineData("force-quit ", "http,socks")]
    [InlineData("cluster ", "down,leave,relays,show")]
    [InlineData("cluster down ", "127.0.0.1:2551")]
    [InlineData("route ", "list,remove,set")]
    [InlineData("route set b ", "child,exact,regex,subnet")]
    [InlineData("route remove s", "subnet")]
    [InlineData("route set b subnet ", "")]
    [InlineData("--c", "--cluster")]
    [InlineData("--cluster list s", "server")]
    [InlineData("list --cluster s", "server")]
    [InlineData("--cluster --c", "")]
    [InlineData("version ", "")]
    [InlineData("nothing", "")]
    public void Candidates_FollowThePalettesAndNames(string line, string expected)
    {
        var candidates = Completer.Candidates(line);
        if (line.Length == 0) Assert.Contains(expected, candidates);
        else Assert.Equal(expected, string.Join(',', candidates));
    }

    [Fact]
    public void CommonPrefix_OfCandidates() =>
        Assert.Equal("reload", Completer.CommonPrefix(["reload", "reload-escaper", "reload-server"]));
}
