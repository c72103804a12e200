using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Tls;

/// <summary>
/// The one place a TLS client session to an upstream is set up from a g3 <c>tls_client</c>
/// config: CA bundle, SNI, client certificate, versions, handshake timeout.
/// </summary>
public static class TlsClientHandshake
{
    /// <summary>Returns the TLS stream, or null with a reason when the handshake fails or times out.</summary>
    public static async Task<(SslStream? Stream, string? Error)> ConnectAsync(
        Stream inner, string host, TlsClientConfig config, TimeProvider time, CancellationToken ct)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = BuildOptions(host, config);
        using var limit = new CancellationTokenSource(config.HandshakeTimeout, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, timeout.Token).ConfigureAwait(false);
            return (ssl, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            return (null, "tls handshake timed out");
        }
        catch (Exception e) when (e is AuthenticationException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            return (null, "tls handshake failed: " + e.Message);
        }
    }

    public static SslClientAuthenticationOptions BuildOptions(string host, TlsClientConfig config)
    {
        var options = new SslClientAuthenticationOptions
        {
            // The name is checked against the certificate; SslStream sends no SNI for an IP
            // literal (RFC 6066 section 3), and disable_sni drops it for names too.
            TargetHost = config.DisableSni ? "" : host.Trim('[', ']'),
            EnabledSslProtocols = Protocols(config),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            // Chain building must never fetch missing intermediates: it would block the socket
            // thread (inline completions) and reach the network from inside a handshake.
            CertificateChainPolicy = new X509ChainPolicy
            {
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
            },
        };
        if (config.Alpn.Count > 0)
            options.ApplicationProtocols = config.Alpn.Select(p => new SslApplicationProtocol(p)).ToList();
        if (config.CertificatePem is not null && config.PrivateKeyPem is not null)
        {
            var cert = X509Certificate2.CreateFromPem(config.CertificatePem, config.PrivateKeyPem);
            options.ClientCertificates = [X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null)];
        }
        if (config.Insecure)
        {
            options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (config.CaCertificatePem is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(config.CaCertificatePem);
            options.CertificateChainPolicy = BuildPolicy(roots);
            options.RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None;
            if (!config.NoDefaultCaCertificate)
            {
                // Extra CAs on top of the system store: accept a chain that either store vouches for.
                var chainPolicy = options.CertificateChainPolicy;
                options.CertificateChainPolicy = new X509ChainPolicy
                {
                    RevocationMode = X509RevocationMode.NoCheck,
                    DisableCertificateDownloads = true,
                };
                options.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                {
                    if (errors == SslPolicyErrors.None) return true;
                    if (cert is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
                    using var chain = new X509Chain { ChainPolicy = chainPolicy };
                    return chain.Build(cert as X509Certificate2 ?? new X509Certificate2(cert));
                };
            }
        }
        return options;
    }

    private static X509ChainPolicy BuildPolicy(X509Certificate2Collection roots)
    {
        var policy = new X509ChainPolicy
        {
            RevocationMode = X509RevocationMode.NoCheck,
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(roots);
        return policy;
    }

    private static SslProtocols Protocols(TlsClientConfig config)
    {
        static SslProtocols Parse(string? v) => v?.Replace("_", "").Replace("v", "").ToLowerInvariant() switch
        {
            "tls1.2" or "tls12" => SslProtocols.Tls12,
            "tls1.3" or "tls13" => SslProtocols.Tls13,
            _ => SslProtocols.None,
        };
        var min = Parse(config.MinTlsVersion);
        var max = Parse(config.MaxTlsVersion);
        if (min == SslProtocols.None && max == SslProtocols.None) return SslProtocols.None; // platform default
        var result = SslProtocols.None;
        foreach (var p in new[] { SslProtocols.Tls12, SslProtocols.Tls13 })
            if ((min == SslProtocols.None || p >= min) && (max == SslProtocols.None || p <= max)) result |= p;
        return result;
    }
}
