using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Proxy.Control.Wire;

namespace Proxy.Control.Client;

/// <summary>How pbm reaches a node: TLS when asked for or when the host is not loopback, and the token.</summary>
internal sealed record ControlClientOptions
{
    public string? Token { get; init; }
    public bool? Tls { get; init; }
    /// <summary>PEM file of the CA that signed the node's control certificate; else the system store.</summary>
    public string? CaFile { get; init; }
    public bool Insecure { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(70);
}

/// <summary>The pbm end of the control protocol: connect, hello/welcome, then request/reply.</summary>
internal sealed class ControlClient : IAsyncDisposable
{
    private readonly FrameChannel _channel;
    private readonly ControlClientOptions _options;
    private long _nextId;

    private ControlClient(FrameChannel channel, ControlFrame welcome, ControlClientOptions options)
    {
        _channel = channel;
        _options = options;
        Node = welcome.Node ?? "";
        Palettes = welcome.Palettes ?? [];
        Names = welcome.Names ?? new Dictionary<string, IReadOnlyList<string>>();
    }

    public string Node { get; }
    public IReadOnlyList<CommandPaletteInfo> Palettes { get; }
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Names { get; }

    /// <exception cref="ControlClientException">Unreachable within the connect timeout, refused, or not a control endpoint.</exception>
    /// <param name="endpoint">The shared TCP endpoint, or a process's own unix socket (<see cref="UnixDomainSocketEndPoint"/>; never TLS).</param>
    public static async Task<ControlClient> ConnectAsync(EndPoint endpoint, ControlClientOptions options, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(options.ConnectTimeout);
        var ip = endpoint as IPEndPoint;
        var socket = ip is null
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(endpoint, cts.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (ip is not null && (options.Tls ?? !IPAddress.IsLoopback(ip.Address)))
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(ClientTls(ip, options), cts.Token).ConfigureAwait(false);
            }
            var channel = new FrameChannel(stream);
            await channel.WriteAsync(ControlFrame.Hello(options.Token), cts.Token).ConfigureAwait(false);
            var welcome = await channel.ReadAsync(cts.Token).ConfigureAwait(false);
            switch (welcome)
            {
                case { Type: "welcome" }:
                    return new ControlClient(channel, welcome, options);
                case { Type: "refused" }:
                    await channel.DisposeAsync().ConfigureAwait(false);
                    throw new ControlClientException($"node at {endpoint} refused the session: {welcome.Error}");
                default:
                    await channel.DisposeAsync().ConfigureAwait(false);
                    throw new ControlClientException($"{endpoint} closed the session without a welcome (not a G3Actors control endpoint, or TLS expected?)");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Dispose(stream, socket);
            throw new ControlClientException($"cannot reach node at {endpoint}: no answer within {options.ConnectTimeout.TotalSeconds:0.#}s");
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException or InvalidDataException)
        {
            Dispose(stream, socket);
            throw new ControlClientException($"cannot reach node at {endpoint}: {e.Message}");
        }
    }

    private static void Dispose(Stream? stream, Socket socket)
    {
        stream?.Dispose();
        socket.Dispose();
    }

    private static SslClientAuthenticationOptions ClientTls(IPEndPoint endpoint, ControlClientOptions options)
    {
        var tls = new SslClientAuthenticationOptions { TargetHost = endpoint.Address.ToString() };
        if (options.Insecure)
        {
            tls.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (options.CaFile is { } ca)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(ca);
            tls.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            tls.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }
        return tls;
    }

    /// <summary>Sends the words and waits for the reply, collecting streamed output lines before it.</summary>
    public async Task<ControlFrame> RequestAsync(IReadOnlyList<string> words, CancellationToken ct)
    {
        var id = ++_nextId;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_options.ReplyTimeout);
        try
        {
            await _channel.WriteAsync(ControlFrame.Request(id, words), cts.Token).ConfigureAwait(false);
            var lines = new List<string>();
            while (await _channel.ReadAsync(cts.Token).ConfigureAwait(false) is { } frame)
            {
                if (frame.Id != id) continue;
                if (frame.Lines is not null) lines.AddRange(frame.Lines);
                if (frame.Type == "reply") return frame with { Lines = lines };
            }
            throw new ControlClientException("the node closed the session");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ControlClientException($"no reply within {_options.ReplyTimeout.TotalSeconds:0}s");
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new ControlClientException("control session broken: " + e.Message);
        }
    }

    public ValueTask DisposeAsync() => _channel.DisposeAsync();
}

internal sealed class ControlClientException(string message) : Exception(message);
