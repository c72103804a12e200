using System.Text;
using Proxy.Actors.Protocols.ProxyProtocol;

namespace Proxy.Tests.Protocols.ProxyProtocol;

public class ProxyProtocolDetectorTests
{
    [Theory]
    [InlineData("", "NeedMore")]
    [InlineData("P", "NeedMore")]
    [InlineData("PROXY", "NeedMore")]
    [InlineData("PROXY ", "V1")]
    [InlineData("PROXY TCP4", "V1")]
    [InlineData("GET / HTTP/1.1\r\n", "Neither")]
    [InlineData("PROXYX", "Neither")]
    [InlineData("\r\n\r\n", "NeedMore")]
    [InlineData("\r\n\r\nX", "Neither")]
    public void Text_Detected(string first, string expected) =>
        Assert.Equal(Enum.Parse<ProxyProtocolDetection>(expected), ProxyProtocolDetector.Detect(Encoding.ASCII.GetBytes(first)));

    [Fact]
    public void V2Signature_Detected_OnlyWhenWhole()
    {
        var sig = ProxyProtocolDetector.V2Signature.ToArray();
        for (var n = 1; n < sig.Length; n++)
            Assert.Equal(ProxyProtocolDetection.NeedMore, ProxyProtocolDetector.Detect(Segments.Split(sig[..n])));
        Assert.Equal(ProxyProtocolDetection.V2, ProxyProtocolDetector.Detect(Segments.Split(sig)));
        sig[11] = 0x0B;
        Assert.Equal(ProxyProtocolDetection.Neither, ProxyProtocolDetector.Detect(sig));
    }

    [Fact]
    public void TlsClientHello_IsNeither() =>
        Assert.Equal(ProxyProtocolDetection.Neither, ProxyProtocolDetector.Detect(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00 }));
}
