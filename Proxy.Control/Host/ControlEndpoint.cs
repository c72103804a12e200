using System.Net;
using System.Security.Cryptography.X509Certificates;
using Proxy.Actors.Config.Values;

namespace Proxy.Control.Host;

/// <summary>
/// Where the control endpoint listens and how it guards itself. Off loopback both TLS and a token
/// are required; without them the node refuses to start (a control port can stop the node).
/// </summary>
internal sealed record ControlEndpoint(IPEndPoint Listen, string? Token, X509Certificate2? Certificate)
{
    public const string DefaultListen = "127.0.0.1:9110";

    /// <summary>The endpoint from <c>--control</c> (wins) or <c>control:</c>, or the reason it is refused.</summary>
    public static (ControlEndpoint? Endpoint, string? Error) From(ControlConfig config, string? cliListen)
    {
        var text = cliListen ?? config.Listen;
        if (!TryParse(text, out var listen)) return (null, $"control: '{text}' is not HOST:PORT (an IP address or localhost)");
        X509Certificate2? cert = null;
        if (config.TlsCertificate is not null || config.TlsPrivateKey is not null)
        {
            if (config.TlsCertificate is null || config.TlsPrivateKey is null)
                return (null, "control: tls_certificate and tls_private_key go together");
            try
            {
                using var pem = X509Certificate2.CreateFromPem(config.TlsCertificate, config.TlsPrivateKey);
                // Re-imported so SslStream on Linux can use the key (an ephemeral PEM key cannot be used).
                cert = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                return (null, "control: cannot load tls_certificate/tls_private_key: " + e.Message);
            }
        }
        if (!IPAddress.IsLoopback(listen.Address) && (cert is null || string.IsNullOrEmpty(config.Token)))
        {
            cert?.Dispose();
            return (null, $"control: listen {listen} is not loopback, which needs control.token and control.tls_certificate/tls_private_key");
        }
        return (new ControlEndpoint(listen, config.Token, cert), null);
    }

    /// <summary><c>HOST:PORT</c> where HOST is an IP literal (<c>[::1]</c> for IPv6) or <c>localhost</c>.</summary>
    public static bool TryParse(string text, out IPEndPoint endpoint)
    {
        endpoint = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(text.AsSpan(colon + 1), out var port)) return false;
        var host = text[..colon].Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) host = "127.0.0.1";
        if (!IPAddress.TryParse(host, out var address)) return false;
        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
