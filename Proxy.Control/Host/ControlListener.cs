using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Proxy.Control.Palettes;
using Proxy.Control.Wire;

namespace Proxy.Control.Host;

/// <summary>
/// The control socket: bound by the host before the node starts (a port in use or a refused
/// policy stops the start), then run by the control actor. Plain async code: one task per
/// session, each request a single ask to the actor. Sessions are bounded in number and every
/// wait has a deadline, so a stuck client costs one slot, not the node. Two kinds: the shared TCP
/// endpoint (control.listen, handed from process to process in a hot upgrade) and the unix socket
/// of this process alone (<see cref="ProcessSocket"/>), which the file system guards (no token, no TLS).
/// </summary>
internal sealed class ControlListener : IDisposable
{
    private const int MaxSessions = 16;
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);
    /// <summary>Long enough for a reload or a resolver query; offline answers at once and proceeds alone.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private readonly Socket _socket;
    private readonly string? _token;
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;
    private readonly string? _unixPath;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _cts = new();
    private readonly SemaphoreSlim _slots = new(MaxSessions, MaxSessions);

    private ControlListener(Socket socket, ControlEndpoint? endpoint, string? unixPath, TimeProvider time)
    {
        _socket = socket;
        _token = endpoint?.Token;
        _certificate = endpoint?.Certificate;
        _unixPath = unixPath;
        _time = time;
    }

    /// <summary>The bound TCP address; null for a unix socket.</summary>
    public IPEndPoint? LocalEndPoint => _socket.LocalEndPoint as IPEndPoint;

    /// <summary>The socket file of a unix listener; null for TCP.</summary>
    public string? UnixPath => _unixPath;

    /// <summary>
    /// The unix socket at <paramref name="path"/>, readable and writable by the owner only. A file left
    /// there by a process that died is replaced; a live listener's is not (the bind then fails).
    /// </summary>
    /// <exception cref="SocketException">The path is held by a live listener or cannot be bound.</exception>
    public static ControlListener BindUnix(string path, TimeProvider time)
    {
        if (File.Exists(path) && !ProcessSocket.IsLive(path)) File.Delete(path);
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            s.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            s.Listen(16);
        }
        catch
        {
            s.Dispose();
            throw;
        }
        return new ControlListener(s, null, path, time);
    }

    /// <summary>The shared TCP endpoint. The certificate stays the caller's: a released listener can be bound again.</summary>
    /// <exception cref="SocketException">The address cannot be bound.</exception>
    public static ControlListener Bind(ControlEndpoint endpoint, TimeProvider time)
    {
        var s = new Socket(endpoint.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(endpoint.Listen);
            s.Listen(16);
        }
        catch
        {
            s.Dispose();
            throw;
        }
        return new ControlListener(s, endpoint, null, time);
    }

    /// <summary>Accepts until disposed. <paramref name="names"/> is read per session, for completion.</summary>
    public async Task RunAsync(IActorRef control, Func<IReadOnlyDictionary<string, IReadOnlyList<string>>> names, string nodeVersion)
    {
        var ct = _cts.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                await _slots.WaitAsync(ct).ConfigureAwait(false);
                client = await _socket.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                _slots.Release();
                continue;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await SessionAsync(client, control, names, nodeVersion, ct).ConfigureAwait(false);
                }
                finally
                {
                    _slots.Release();
                }
            }, CancellationToken.None);
        }
    }

    private async Task SessionAsync(Socket client, IActorRef control,
        Func<IReadOnlyDictionary<string, IReadOnlyList<string>>> names, string nodeVersion, CancellationToken ct)
    {
        if (client.ProtocolType == ProtocolType.Tcp) client.NoDelay = true;
        Stream stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            using (var hello = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                hello.CancelAfter(HelloTimeout);
                if (_certificate is { } cert)
                {
                    var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                    stream = tls;
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = cert }, hello.Token)
                        .ConfigureAwait(false);
                }
            }
            await using var channel = new FrameChannel(stream);
            var first = await ReadWithin(channel, HelloTimeout, ct).ConfigureAwait(false);
            if (first is not { Type: "hello" })
            {
                await channel.WriteAsync(ControlFrame.Refused("expected a hello frame"), ct).ConfigureAwait(false);
                return;
            }
            if (first.Version != ControlFrame.ProtocolVersion)
            {
                await channel.WriteAsync(ControlFrame.Refused($"protocol version {first.Version} not supported (node speaks {ControlFrame.ProtocolVersion})"), ct)
                    .ConfigureAwait(false);
                return;
            }
            if (!TokenMatches(first.Token))
            {
                await channel.WriteAsync(ControlFrame.Refused("bad or missing token"), ct).ConfigureAwait(false);
                return;
            }
            await channel.WriteAsync(new ControlFrame
            {
                Type = "welcome",
                Version = ControlFrame.ProtocolVersion,
                Node = nodeVersion,
                Palettes = NodePalettes.All,
                Names = names(),
            }, ct).ConfigureAwait(false);

            while (await channel.ReadAsync(ct).ConfigureAwait(false) is { } frame)
            {
                if (frame is not { Type: "request", Id: { } id, Words: { Count: > 0 } words })
                {
                    await channel.WriteAsync(new ControlFrame { Type = "reply", Id = frame.Id, Error = "expected a request with words" }, ct)
                        .ConfigureAwait(false);
                    continue;
                }
                var reply = await AskAsync(control, words, ct).ConfigureAwait(false);
                await channel.WriteAsync(new ControlFrame
                {
                    Type = "reply",
                    Id = id,
                    Lines = reply.Lines,
                    Notice = reply.Notice,
                    Error = reply.Error,
                }, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or AuthenticationException or SocketException
                                      or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or spoke nonsense: only this session ends.
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<ControlFrame?> ReadWithin(FrameChannel channel, TimeSpan limit, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var timer = _time.CreateTimer(_ => cts.Cancel(), null, limit, Timeout.InfiniteTimeSpan);
        return await channel.ReadAsync(cts.Token).ConfigureAwait(false);
    }

    private static async Task<ControlReply> AskAsync(IActorRef control, IReadOnlyList<string> words, CancellationToken ct)
    {
        try
        {
            return await control.Ask<ControlReply>(new ControlRequest(words), RequestTimeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return ControlReply.Fail($"no answer within {RequestTimeout.TotalSeconds:0}s");
        }
    }

    private bool TokenMatches(string? offered)
    {
        if (string.IsNullOrEmpty(_token)) return true;
        return offered is not null && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(offered)), SHA256.HashData(Encoding.UTF8.GetBytes(_token)));
    }

    /// <summary>
    /// Closes the listening socket (a hot upgrade's release) while running sessions go on: the one
    /// that asked for the release still gets its answer.
    /// </summary>
    public void StopAccepting() => _socket.Dispose();

    /// <summary>Stops accepting and ends this listener's sessions; a unix listener removes its file.</summary>
    public void Dispose()
    {
        _cts.Cancel();
        _socket.Dispose();
        if (_unixPath is not null)
        {
            try { File.Delete(_unixPath); }
            catch (IOException) { /* gone already */ }
        }
    }
}
