using Proxy.Actors.Logging;

namespace Proxy.Tests.Logging;

public sealed class LoggedUriTests
{
    [Theory]
    [InlineData("http://user:secret@o.test/p?q=1", 1024, "http://user:xyz@o.test/p?q=1")]
    [InlineData("ftp://u:p@o.test:21/", 1024, "ftp://u:xyz@o.test:21/")]
    [InlineData("http://user@o.test/", 1024, "http://user@o.test/")] // no password to hide
    [InlineData("http://o.test/a@b:c", 1024, "http://o.test/a@b:c")] // '@' in the path is not userinfo
    [InlineData("/redirect?to=http://u:p@x.test/", 1024, "/redirect?to=http://u:p@x.test/")] // origin form has no authority
    [InlineData("o.test:443", 1024, "o.test:443")]
    [InlineData("http://user:secret@o.test/long", 20, "http://user:xyz@o.te")] // masked before the cut
    [InlineData("", 10, "")]
    public void MasksThePassword_ThenCuts(string uri, int max, string expected) => Assert.Equal(expected, LoggedUri.Of(uri, max));
}
