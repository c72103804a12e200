using System.Buffers;
using System.Net.Security;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.CertGen;
using Proxy.Actors.Protocols.TlsHello;
using Proxy.Actors.Relay;
using Proxy.Actors.Tls;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// g3's TLS interception (g3proxy/src/inspect/tls): read the client's ClientHello, handshake with the
/// real server as the client would (its SNI, its ALPN list; verified unless
/// <c>tls_interception_client.insecure</c>), ask the certificate agent for a leaf for that host
/// (mimicking the real one), handshake with the client with it offering the protocol the server
/// chose, then inspect the decrypted stream one level deeper. Any failure ends the task with the
/// reason in its log; the client just sees its connection close.
/// </summary>
internal static class TlsInterceptor
{
    /// <param name="next">What runs on the decrypted streams: protocol inspection one level deeper, or the
    /// protocol that asked for TLS (SMTP/IMAP STARTTLS goes on with itself).</param>
    /// <param name="service">The generator's service type for the certificate (g3: http, smtp, imap).</param>
    public static async Task<RelayEnd> RunAsync(TunnelAudit audit, RelayEndpoint client, PeekStream clientPeek, RelayEndpoint remote, int depth,
        Func<RelayEndpoint, RelayEndpoint, Task<RelayEnd>>? next = null, TlsServiceType service = TlsServiceType.Http)
    {
        // Both streams are PeekStreams, which never close what they wrap: disposing the TLS layers
        // leaves the sockets to the server task that owns them.
        var notes = audit.Notes;
        var hello = await ReadHelloAsync(audit, clientPeek).ConfigureAwait(false);
        if (hello is null)
        {
            // Not a ClientHello after all (random bytes behind a TLS record header): an unknown protocol.
            if (audit.User?.Config.Audit.ProhibitUnknownProtocol == true)
                return StreamInspector.Forbid(audit, "unknown protocol (not a valid ClientHello) is prohibited for this user");
            return await TunnelRelay.RunAsync(client, remote, audit.Options, notes.Bytes, audit.Activity).ConfigureAwait(false);
        }
        var host = hello.ServerName ?? audit.Upstream.Host.Trim('[', ']');
        var config = audit.Auditor.Config;
        var alpn = MirroredAlpn(hello.Alpn);

        var (upstream, upstreamError) = await ConnectUpstreamAsync(remote.Stream, host, ClientConfig(config.TlsInterceptionClient, alpn), audit)
            .ConfigureAwait(false);
        if (upstream is null)
        {
            notes.Error = $"tls: upstream {host}: {upstreamError}";
            Log(audit, depth, host, notes.Error);
            return RelayEnd.UpstreamTlsHandshakeFailed;
        }
        SslStream? clientTls = null;
        try
        {
            var mimic = upstream.RemoteCertificate?.GetRawCertData();
            var cert = await audit.Auditor.CertAgent!.FetchAsync(host, mimic, service, ct: audit.Token).ConfigureAwait(false);
            if (!cert.Ok)
            {
                notes.Error = "tls: " + cert.Error;
                Log(audit, depth, host, notes.Error);
                return RelayEnd.InterceptionError;
            }
            var chosen = upstream.NegotiatedApplicationProtocol;
            clientTls = new SslStream(client.Stream, leaveInnerStreamOpen: false);
            var error = await AcceptAsync(clientTls, cert.Cert!.Context, chosen, config.TlsInterceptionServer.AcceptTimeout, audit).ConfigureAwait(false);
            if (error is not null)
            {
                notes.Error = $"tls: client handshake for {host}: {error}";
                Log(audit, depth, host, notes.Error);
                return RelayEnd.InterceptionError;
            }
            Log(audit, depth, host, "");
            var hint = Dump.DissectorHint.ForTls(service, chosen.Protocol.IsEmpty ? null : chosen.ToString(), audit.Upstream.Port);
            if (next is null && chosen == SslApplicationProtocol.Http2)
            {
                // SocketsHttpHandler takes the upstream SslStream as is: its plaintext side is dumped from the handler's stream filter.
                var (h2Client, remoteDump) = audit.Auditor.StreamDumper is { } h2Dumper
                    ? h2Dumper.WrapH2(audit, client with { Stream = clientTls }, remote, hint)
                    : (client with { Stream = clientTls }, null);
                return await H2Dispatch(audit, h2Client, upstream, remote, host, depth + 1, remoteDump).ConfigureAwait(false);
            }
            var decryptedClient = client with { Stream = clientTls };
            var decryptedRemote = remote with { Stream = upstream };
            if (audit.Auditor.StreamDumper is { } dumper)
                (decryptedClient, decryptedRemote) = dumper.Wrap(audit, decryptedClient, decryptedRemote, hint);
            return next is null
                ? await StreamInspector.RunAsync(audit, decryptedClient, decryptedRemote, depth + 1).ConfigureAwait(false)
                : await next(decryptedClient, decryptedRemote).ConfigureAwait(false);
        }
        finally
        {
            if (clientTls is not null) await clientTls.DisposeAsync().ConfigureAwait(false);
            await upstream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The client's ALPN list as offered to the real server (h2 included: h2 interception takes it).</summary>
    internal static List<string> MirroredAlpn(IReadOnlyList<string> offered) => offered.Where(p => p.Length > 0).ToList();

    /// <summary>Both sides speak h2: h2_inspect_policy decides between h2 interception, the plain relay and the end.</summary>
    private static Task<RelayEnd> H2Dispatch(TunnelAudit audit, RelayEndpoint client, SslStream upstream, RelayEndpoint remote, string host, int depth,
        Dump.DumpFlow? remoteDump) =>
        audit.Auditor.Config.H2InspectPolicy.Check(host) switch
        {
            InspectAction.Block => Task.FromResult(StreamInspector.Forbid(audit, "h2 is blocked by h2_inspect_policy")),
            InspectAction.Bypass => TunnelRelay.RunAsync(client,
                remote with { Stream = remoteDump is null ? upstream : Dump.StreamDumper.RemoteSide(upstream, remoteDump) },
                audit.Options, audit.Notes.Bytes, audit.Activity),
            _ => H2Interceptor.RunAsync(audit, client, upstream, host, depth, remoteDump),
        };

    /// <summary>
    /// The shared TLS client setup, with the verification failure spelled out (the chain status:
    /// NotTimeValid, UntrustedRoot...) for the task log instead of SslStream's generic refusal.
    /// </summary>
    private static async Task<(SslStream? Stream, string? Error)> ConnectUpstreamAsync(Stream inner, string host, TlsClientConfig config, TunnelAudit audit)
    {
        var options = TlsClientHandshake.BuildOptions(host, config);
        string? refused = null;
        var check = options.RemoteCertificateValidationCallback;
        options.RemoteCertificateValidationCallback = (sender, cert, chain, errors) =>
        {
            var ok = check?.Invoke(sender, cert, chain, errors) ?? errors == SslPolicyErrors.None;
            if (!ok) refused = Describe(errors, chain);
            return ok;
        };
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        using var limit = new CancellationTokenSource(config.HandshakeTimeout, audit.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(audit.Token, limit.Token);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, linked.Token).ConfigureAwait(false);
            return (ssl, null);
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException || IoErrors.IsExpected(e))
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (limit.IsCancellationRequested && !audit.Token.IsCancellationRequested) return (null, "handshake timed out");
            return (null, refused is null ? "handshake failed: " + e.Message : "certificate refused: " + refused);
        }
    }

    private static string Describe(SslPolicyErrors errors, System.Security.Cryptography.X509Certificates.X509Chain? chain)
    {
        var parts = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) parts.Add("no certificate");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) parts.Add("name mismatch");
        if (chain is not null)
            foreach (var status in chain.ChainStatus)
                if (status.Status != System.Security.Cryptography.X509Certificates.X509ChainStatusFlags.NoError) parts.Add(status.Status.ToString());
        if (parts.Count == 0) parts.Add(errors.ToString());
        return string.Join(", ", parts.Distinct());
    }

    /// <summary>The whole ClientHello, within data0_read_timeout and the hello bound; null when it is not one.</summary>
    private static async Task<ClientHello?> ReadHelloAsync(TunnelAudit audit, PeekStream c)
    {
        var started = audit.Time.GetTimestamp();
        var timeout = audit.Auditor.Config.ProtocolInspection.Data0ReadTimeout;
        while (true)
        {
            var parsed = ClientHelloParser.Parse(new ReadOnlySequence<byte>(c.Buffered), StreamInspector.MaxHelloBuffer);
            if (parsed.IsDone) return parsed.Value;
            if (parsed.Status != ParseStatus.NeedMore || c.Full || c.SawEnd) return null;
            var left = timeout - audit.Time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) return null;
            try
            {
                await c.FillAsync().WaitAsync(left, audit.Time, audit.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException || IoErrors.IsExpected(e))
            {
                return null;
            }
        }
    }

    private static async Task<string?> AcceptAsync(SslStream ssl, SslStreamCertificateContext cert, SslApplicationProtocol chosen, TimeSpan timeout, TunnelAudit audit)
    {
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = cert,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            // ALPN mirrored: the client may only get what the real server chose.
            ApplicationProtocols = chosen.Protocol.IsEmpty ? null : [chosen],
        };
        using var limit = new CancellationTokenSource(timeout, audit.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(audit.Token, limit.Token);
        try
        {
            await ssl.AuthenticateAsServerAsync(options, linked.Token).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (!audit.Token.IsCancellationRequested)
        {
            return "timed out";
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or OperationCanceledException || IoErrors.IsExpected(e))
        {
            return e.Message;
        }
    }

    /// <summary>tls_interception_client as the shared TLS client setup reads it, offering the client's ALPN list.</summary>
    private static TlsClientConfig ClientConfig(TlsInterceptionClientConfig c, IReadOnlyList<string> alpn) => new()
    {
        CaCertificatePem = c.CaCertificatePem,
        NoDefaultCaCertificate = c.NoDefaultCaCertificate,
        Insecure = c.Insecure,
        HandshakeTimeout = c.HandshakeTimeout,
        MinTlsVersion = c.MinTlsVersion,
        MaxTlsVersion = c.MaxTlsVersion,
        Alpn = alpn,
    };

    private static void Log(TunnelAudit audit, int depth, string host, string message)
    {
        var r = InterceptLog.Start(audit, "TlsHandshake", depth, message);
        r.Add("upstream", audit.Upstream.ToString()).Add("tls_name", host);
        if (message.Length > 0) r.Add("error", message);
        audit.Logger.LogIntercept(r);
    }
}
