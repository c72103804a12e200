using Proxy.Pbm;

namespace Proxy.Tests.Control;

public sealed class PbmArgsTests
{
    [Theory]
    [InlineData("--cluster version", 0)]
    [InlineData("--token t --cluster version", 2)]
    [InlineData("--insecure 127.0.0.1:9110 --cluster list server", 1)]
    [InlineData("--token=t version", 1)]
    public void FirstWord_StopsAtTheClusterFlag(string line, int first) =>
        Assert.Equal(first, PbmCli.FirstWord(line.Split(' ')));

    [Fact]
    public void Inline_ReadsTheFile_WithClusterAnywhere()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "{\"type\": \"http\", \"addr\": \"127.0.0.1:8080\"}");
            var (words, error) = LocalFiles.Inline(["escaper", "float", "publish", "--cluster", "-f", file]);
            Assert.Null(error);
            Assert.Equal(["--cluster", "escaper", "float", "publish", "{\"type\": \"http\", \"addr\": \"127.0.0.1:8080\"}"], words);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
