using System.Buffers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Proxy.Actors.Protocols.TlsHello;
using Proxy.Actors.Tls;

using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.Common;

/// <summary>
/// Terminates TLS in front of a server's protocol (plain_tls_port, native_tls_port, tls_server on
/// a server): the same connection goes on as a TLS stream, its facts carrying the SNI, ALPN and
/// the verified client certificate. A failed handshake ends the connection with a task line.
/// </summary>
internal sealed class TlsAcceptStep : IServerRuntime
{
    private readonly Func<ClientHello, TlsServerSetup?> _choose;
    private readonly TimeSpan _helloTimeout;

    /// <summary>One certificate set for every client; its handshake timeout bounds the ClientHello too.</summary>
    public TlsAcceptStep(TlsServerSetup setup) : this(_ => setup, setup.Config.HandshakeTimeout)
    {
    }

    /// <summary>
    /// Certificates chosen per client from its ClientHello (http_rproxy picks a site's by SNI);
    /// <paramref name="choose"/> answers null when none fits and the connection is dropped.
    /// </summary>
    public TlsAcceptStep(Func<ClientHello, TlsServerSetup?> choose, TimeSpan helloTimeout)
    {
        _choose = choose;
        _helloTimeout = helloTimeout;
    }

    public IServerRuntime? Next { get; init; }

    /// <summary>The TLS transport, or null once the failure is logged.</summary>
    public async Task<ClientTransport?> AcceptAsync(ClientTransport transport, ConnectionScope scope)
    {
        // The ClientHello is read first, to choose the cert pair by the client's signature
        // algorithms; its bytes are then handed to the TLS stack as they came.
        var timeout = _helloTimeout;
        var hello = await TransportPeek.ReadAsync(transport.Stream,
            static (in ReadOnlySequence<byte> b) => ClientHelloParser.Parse(b), ClientHelloParser.DefaultMaxSize + 1024,
            timeout, scope.Time, scope.Token).ConfigureAwait(false);
        string? error;
        SslStream? ssl = null;
        if (!hello.Result.IsDone)
        {
            error = hello.TimedOut ? "no TLS ClientHello within " + timeout
                : hello.Closed ? "closed before a complete TLS ClientHello"
                : "not a TLS ClientHello: " + hello.Result.Reason;
        }
        else if (_choose(hello.Result.Value!) is not { } setup)
        {
            error = "no tls server config for server name '" + hello.Result.Value!.ServerName + "'";
        }
        else
        {
            (ssl, error) = await setup.AcceptAsync(new PrefixedStream(hello.Bytes, transport.Stream),
                hello.Result.Value!.SignatureAlgorithms, scope.Time, scope.Token).ConfigureAwait(false);
        }
        if (ssl is null)
        {
            var notes = scope.NewTask(transport.Facts, "TlsHandshake", scope.AcceptedAt);
            notes.Stage = "Preparing";
            notes.Reason = "ClientTlsHandshakeFailed";
            notes.Error = error;
            scope.FinishTask(notes);
            return null;
        }
        var facts = transport.Facts with
        {
            TlsServerName = string.IsNullOrEmpty(ssl.TargetHostName) ? null : ssl.TargetHostName,
            TlsAlpn = ssl.NegotiatedApplicationProtocol.Protocol.IsEmpty ? null : ssl.NegotiatedApplicationProtocol.ToString(),
            ClientCertificate = ssl.RemoteCertificate as X509Certificate2,
        };
        return transport.With(ssl, facts);
    }

    public async Task HandleAsync(ClientTransport transport, ConnectionScope scope)
    {
        var tls = await AcceptAsync(transport, scope).ConfigureAwait(false);
        if (tls is null) return;
        try
        {
            if (Next is not null) await Next.HandleAsync(tls, scope).ConfigureAwait(false);
        }
        finally
        {
            await tls.Stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => Next?.DisposeAsync() ?? ValueTask.CompletedTask;
}
