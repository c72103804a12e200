using Proxy.Actors.Servers.HttpProxy.Ftp;

namespace Proxy.Tests.Servers.HttpProxy.Ftp;

public sealed class FtpRequestPathTests
{
    [Theory]
    [InlineData("/", "DefaultDir", ".")]
    [InlineData("//", "DefaultDir", ".")]
    [InlineData("/pub/", "ListOnly", "pub")]
    [InlineData("/pub/a.bin", "AutoDetect", "pub/a.bin")]
    [InlineData("/pub/a%20b.bin", "AutoDetect", "pub/a b.bin")]
    [InlineData("/pub/a.bin;type=i", "FileOnly", "pub/a.bin")]
    [InlineData("/pub/a.txt;type=a", "FileOnly", "pub/a.txt")]
    [InlineData("/pub;type=d", "ListOnly", "pub")]
    [InlineData("/%2Fetc/passwd", "AutoDetect", "/etc/passwd")]
    public void Parse_AsG3_RelativeToTheLoginDirectory(string uriPath, string kind, string path)
    {
        var p = FtpRequestPath.Parse(uriPath);
        Assert.Equal((kind, path), (p.Kind.ToString(), p.Path));
    }

    [Fact]
    public void Credentials_FromTheUri_ReplacedByAuthorizationBasic()
    {
        Assert.Equal(("bob", "p@ss:w"), FtpCredentials.From("ftp://bob:p%40ss%3Aw@h:21/x", null));
        Assert.Equal(("bob", null), FtpCredentials.From("ftp://bob@h/x", null));
        Assert.Equal((null, null), FtpCredentials.From("ftp://h/x@y", null));
        Assert.Equal(("al", "pw"), FtpCredentials.From("ftp://bob:x@h/", "Basic " + Convert.ToBase64String("al:pw"u8)));
        // an Authorization that is not Basic leaves the URI's login
        Assert.Equal(("bob", "x"), FtpCredentials.From("ftp://bob:x@h/", "Bearer t"));
    }

    [Fact]
    public void MaskPassword_KeepsTheUser_DropsThePassword()
    {
        Assert.Equal("ftp://bob@h:21/pub/", FtpCredentials.MaskPassword("ftp://bob:secret@h:21/pub/"));
        Assert.Equal("ftp://h/pub/", FtpCredentials.MaskPassword("ftp://h/pub/"));
        Assert.Equal("ftp://bob@h/", FtpCredentials.MaskPassword("ftp://bob@h/"));
    }
}
