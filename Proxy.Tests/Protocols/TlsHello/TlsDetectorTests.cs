using Proxy.Actors.Protocols.TlsHello;

namespace Proxy.Tests.Protocols.TlsHello;

public class TlsDetectorTests
{
    [Theory]
    [InlineData("", "NeedMore")]
    [InlineData("16", "NeedMore")]
    [InlineData("160301", "NeedMore")]
    [InlineData("16030100F801", "Tls")]
    [InlineData("16030300F801", "Tls")]
    [InlineData("16030100F802", "NotTls")]
    [InlineData("160301000001", "NotTls")]
    [InlineData("160301400101", "NotTls")]
    [InlineData("1603", "NeedMore")]
    [InlineData("1605", "NotTls")]
    [InlineData("170303", "NotTls")]
    [InlineData("474554202F", "NotTls")]
    [InlineData("0D0A0D0A000D", "NotTls")]
    [InlineData("050100", "NotTls")]
    public void FirstBytes_Classified(string hex, string expected) =>
        Assert.Equal(Enum.Parse<TlsDetection>(expected), TlsDetector.Detect(Convert.FromHexString(hex)));

    [Fact]
    public async Task RealHello_IsTls() =>
        Assert.Equal(TlsDetection.Tls, TlsDetector.Detect(await HelloBytes.FromSslStreamAsync("detect.example.test")));
}
