using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Proxy.Actors.Audit.CertAgent;

/// <summary>A leaf with its private key and chain, ready for an SslStream server.</summary>
public sealed record InterceptionCert(X509Certificate2 Leaf, X509Certificate2Collection Chain, SslStreamCertificateContext Context);

/// <summary>What a fetch gives a connection: a certificate, or the reason there is none (for the task log).</summary>
public sealed record CertAgentResult(InterceptionCert? Cert, string? Error)
{
    public bool Ok => Cert is not null;
    public static CertAgentResult Fail(string reason) => new(null, reason);
}
