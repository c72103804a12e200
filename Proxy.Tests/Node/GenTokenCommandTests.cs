using Proxy.Actors.Config;
using Proxy.Node;
using Proxy.Tests.Config;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Node;

public sealed class GenTokenCommandTests
{
    [Fact]
    public void Render_G3Salt_GivesG3Vector()
    {
        var yaml = GenTokenCommand.Render("toor", "4e8f8a4e37f0fa1b", null, withBlake3: false, json: false);
        Assert.Equal("token:\n  salt: \"4e8f8a4e37f0fa1b\"\n  md5: \"d9d963915b9815d4cc39c196c2868900\"\n  sha1: \"c28640e7b1a3d9db98187632aeba99c0cff0ffd4\"\n", yaml);
        Assert.Equal("token: \"$1$rnfSARNK$DJNIbbMpjjSmral92rE3k1\"\n", GenTokenCommand.Render("toor", "rnfSARNK", "md5", false, false));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(null, true)]
    [InlineData("sha512", false)]
    [InlineData("sha256", true)]
    public void Rendered_Token_LoadsAsAUser_AndVerifies(string? crypt, bool blake3)
    {
        using var dir = new TempConfigDir();
        // indented under the user, as an operator pastes it
        var token = string.Join("\n        ", GenTokenCommand.Render("p@ss word", null, crypt, blake3, json: false).TrimEnd().Split('\n'));
        dir.Write("main.yml", $"user_group:\n  - name: g\n    static_users:\n      - name: u\n        {token}\n");
        var user = ConfigLoader.Load(Path.Combine(dir.Root, "main.yml")).UserGroups[0].StaticUsers["u"];
        Assert.True(user.Token.Verify("p@ss word"));
        Assert.False(user.Token.Verify("p@ss  word"));
    }

    [Fact]
    public void Render_BadSalt_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => GenTokenCommand.Render("x", "abcd", null, false, false));
        Assert.Throws<ArgumentException>(() => GenTokenCommand.Render("x", "bad$salt", "sha256", false, false));
    }
}

[Collection(NodeCollection.Name)]
public sealed class GenTokenCliTests
{
    [Fact]
    public async Task GenToken_Subcommand_PrintsJsonToken()
    {
        var (code, stdout, stderr) = await NodeProcess.RunAsync("gen-token toor --salt 4e8f8a4e37f0fa1b --json --blake3");
        Assert.True(code == 0, stderr);
        Assert.StartsWith("{\"token\": {\"salt\": \"4e8f8a4e37f0fa1b\", \"md5\": \"d9d963915b9815d4cc39c196c2868900\"", stdout);
        Assert.Contains("\"blake3\": \"", stdout);
    }
}
