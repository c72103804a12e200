using Proxy.Actors.Protocols.TlsHello;

namespace Proxy.Tests.Protocols.TlsHello;

public class SignatureSchemesTests
{
    [Theory]
    [InlineData(0x0403, true, false)]
    [InlineData(0x0503, true, false)]
    [InlineData(0x0603, true, false)]
    [InlineData(0x0203, true, false)]
    [InlineData(0x081B, true, false)]
    [InlineData(0x0401, false, true)]
    [InlineData(0x0601, false, true)]
    [InlineData(0x0201, false, true)]
    [InlineData(0x0804, false, true)]
    [InlineData(0x0806, false, true)]
    [InlineData(0x0809, false, false)] // rsa_pss_pss needs an RSASSA-PSS key, not an ordinary RSA one
    [InlineData(0x0807, false, false)]
    [InlineData(0x0808, false, false)]
    [InlineData(0x0402, false, false)] // DSA
    public void Classified(int scheme, bool ecdsa, bool rsa)
    {
        Assert.Equal(ecdsa, SignatureSchemes.IsEcdsa((ushort)scheme));
        Assert.Equal(rsa, SignatureSchemes.IsRsa((ushort)scheme));
    }

    [Theory]
    [InlineData(0x0A0A, true)]
    [InlineData(0xFAFA, true)]
    [InlineData(0x0A1A, false)]
    [InlineData(0x0303, false)]
    public void Grease(int value, bool grease) => Assert.Equal(grease, SignatureSchemes.IsGrease((ushort)value));
}
