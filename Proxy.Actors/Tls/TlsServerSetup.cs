using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.TlsHello;

namespace Proxy.Actors.Tls;

/// <summary>
/// The one place a TLS server session is set up from a g3 <c>tls_server</c> config: every cert pair
/// loaded once, the pair chosen per client as g3 chooses (the first whose key the client's
/// signature algorithms accept, so an RSA and an ECDSA pair stand side by side), client auth
/// against the configured CAs, resumption switches, the handshake timeout.
/// </summary>
public sealed class TlsServerSetup
{
    private readonly Pair[] _pairs;
    private readonly X509Certificate2Collection? _clientRoots;

    private sealed record Pair(SslStreamCertificateContext Context, KeyKind Kind);

    private enum KeyKind { Rsa, Ecdsa, Ed25519, Other }

    public TlsServerSetup(TlsServerConfig config)
    {
        Config = config;
        _pairs = config.CertPairs.Select(Load).ToArray();
        if (config.CaCertificatePem is not null)
        {
            _clientRoots = new X509Certificate2Collection();
            _clientRoots.ImportFromPem(config.CaCertificatePem);
        }
    }

    public TlsServerConfig Config { get; }

    private static Pair Load(TlsCertPair pair)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(pair.CertificatePem);
        using var withKey = X509Certificate2.CreateFromPem(pair.CertificatePem, pair.PrivateKeyPem);
        // A PKCS#12 round trip gives a key OpenSSL can use for the whole process life.
        var leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        var intermediates = new X509Certificate2Collection();
        foreach (var c in chain)
            if (!c.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span)) intermediates.Add(c);
        var kind = leaf.GetRSAPublicKey() is not null ? KeyKind.Rsa
            : leaf.GetECDsaPublicKey() is not null ? KeyKind.Ecdsa
            : leaf.PublicKey.Oid.Value == "1.3.101.112" ? KeyKind.Ed25519
            : KeyKind.Other;
        return new Pair(SslStreamCertificateContext.Create(leaf, intermediates, offline: true), kind);
    }

    /// <summary>
    /// The pair for a client that offered these signature algorithms (TLS SignatureScheme values
    /// from its ClientHello); the first pair when it offered none or none fits.
    /// </summary>
    public SslStreamCertificateContext Select(IReadOnlyList<ushort>? signatureAlgorithms)
    {
        if (signatureAlgorithms is { Count: > 0 } offered)
        {
            foreach (var p in _pairs)
                if (offered.Any(a => Accepts(p.Kind, a))) return p.Context;
        }
        return _pairs[0].Context;
    }

    private static bool Accepts(KeyKind kind, ushort scheme) => kind switch
    {
        KeyKind.Rsa => SignatureSchemes.IsRsa(scheme),
        KeyKind.Ecdsa => SignatureSchemes.IsEcdsa(scheme),
        KeyKind.Ed25519 => scheme == SignatureSchemes.Ed25519,
        _ => false,
    };

    /// <summary>Server options for one handshake.</summary>
    public SslServerAuthenticationOptions Options(SslStreamCertificateContext certificate, List<SslApplicationProtocol>? alpn = null)
    {
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            ClientCertificateRequired = Config.EnableClientAuth,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowTlsResume = !(Config.NoSessionCache && Config.NoSessionTicket),
            ApplicationProtocols = alpn,
        };
        if (Config.EnableClientAuth) options.RemoteCertificateValidationCallback = ValidateClient;
        return options;
    }

    private bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null) return false;
        if (_clientRoots is null) return errors == SslPolicyErrors.None;
        using var own = new X509Chain
        {
            ChainPolicy = new X509ChainPolicy
            {
                RevocationMode = X509RevocationMode.NoCheck,
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                DisableCertificateDownloads = true,
                ApplicationPolicy = { new Oid("1.3.6.1.5.5.7.3.2") }, // clientAuth
            },
        };
        own.ChainPolicy.CustomTrustStore.AddRange(_clientRoots);
        var cert = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return own.Build(cert);
    }

    /// <summary>Runs the server handshake; the TLS stream, or null with the reason (timeout, bad hello, refused certificate).</summary>
    public async Task<(SslStream? Stream, string? Error)> AcceptAsync(
        Stream inner, IReadOnlyList<ushort>? signatureAlgorithms, TimeProvider time, CancellationToken ct,
        List<SslApplicationProtocol>? alpn = null)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: true);
        using var limit = new CancellationTokenSource(Config.HandshakeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        try
        {
            await ssl.AuthenticateAsServerAsync(Options(Select(signatureAlgorithms), alpn), linked.Token).ConfigureAwait(false);
            return (ssl, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            return (null, "tls handshake timed out");
        }
        catch (Exception e) when (e is AuthenticationException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            return (null, "tls handshake failed: " + e.Message);
        }
    }
}
