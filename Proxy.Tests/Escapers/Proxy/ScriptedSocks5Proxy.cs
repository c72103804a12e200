using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Socks;

namespace Proxy.Tests.Escapers.Proxy;

/// <summary>
/// A next-hop SOCKS5 proxy on 127.0.0.1:0 written with the project's server codec: it asks for
/// username/password when given one, records what each client sent (methods, login, request
/// target), answers CONNECT with success and then echoes. A UDP ASSOCIATE gets a relay on
/// 127.0.0.1 that echoes each datagram back with its header; the reply names the relay by
/// <see cref="UdpReplyIp"/> (to test transmute_udp_peer_ip), and <see cref="CloseUdpControl"/>
/// closes the control connection right after the reply.
/// </summary>
internal sealed class ScriptedSocks5Proxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly (string User, string Password)? _login;
    private readonly Task _loop;

    public ScriptedSocks5Proxy((string User, string Password)? login = null)
    {
        _login = login;
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public ConcurrentQueue<string> Logins { get; } = new();
    public ConcurrentQueue<UpstreamAddr> Targets { get; } = new();
    public IPAddress UdpReplyIp { get; init; } = IPAddress.Loopback;
    public bool CloseUdpControl { get; init; }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var pending = Array.Empty<byte>();
        async Task<T?> Read<T>(Func<ReadOnlySequence<byte>, ParseResult<T>> parse)
        {
            var buffer = new byte[512];
            while (true)
            {
                var r = parse(new ReadOnlySequence<byte>(pending));
                if (r.IsDone)
                {
                    pending = pending[(int)r.Consumed..];
                    return r.Value;
                }
                if (r.Status != ParseStatus.NeedMore) return default;
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0) return default;
                pending = [.. pending, .. buffer.AsSpan(0, n)];
            }
        }
        try
        {
            var greeting = await Read(b => Socks5ServerParser.ParseGreeting(b));
            if (greeting is null) return;
            var method = _login is null ? Socks5AuthMethod.NoAuth : Socks5AuthMethod.UsernamePassword;
            await stream.WriteAsync(new byte[] { 5, greeting.Offers(method) ? (byte)method : (byte)0xFF }, _stop.Token);
            if (_login is { } expected)
            {
                var creds = await Read(b => Socks5ServerParser.ParseCredentials(b));
                if (creds is null) return;
                Logins.Enqueue(creds.Username + ":" + creds.Password);
                var ok = creds.Username == expected.User && creds.Password == expected.Password;
                await stream.WriteAsync(new byte[] { 1, ok ? (byte)0 : (byte)1 }, _stop.Token);
                if (!ok) return;
            }
            var request = await Read(b => Socks5ServerParser.ParseRequest(b));
            if (request is null) return;
            Targets.Enqueue(request.Target);
            if (request.Command == Socks5Command.UdpAssociate)
            {
                await UdpAssociateAsync(stream);
                return;
            }
            var reply = new ArrayBufferWriter<byte>();
            Socks5ServerWriter.WriteReply(reply, Socks5ReplyCode.Succeeded);
            await stream.WriteAsync(reply.WrittenMemory, _stop.Token);
            var echo = new byte[4096];
            if (pending.Length > 0) await stream.WriteAsync(pending, _stop.Token);
            int read;
            while ((read = await stream.ReadAsync(echo, _stop.Token)) > 0) await stream.WriteAsync(echo.AsMemory(0, read), _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
        }
    }

    private async Task UdpAssociateAsync(NetworkStream control)
    {
        using var relay = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)relay.Client.LocalEndPoint!).Port;
        var reply = new ArrayBufferWriter<byte>();
        Socks5ServerWriter.WriteReply(reply, Socks5ReplyCode.Succeeded, new UpstreamAddr(UdpReplyIp.ToString(), port));
        await control.WriteAsync(reply.WrittenMemory, _stop.Token);
        if (CloseUdpControl) control.Socket.Shutdown(SocketShutdown.Send);
        var echo = Task.Run(async () =>
        {
            while (true)
            {
                var got = await relay.ReceiveAsync(_stop.Token);
                await relay.SendAsync(got.Buffer, got.RemoteEndPoint, _stop.Token);
            }
        });
        // the relay lives until the client closes the control connection (or the proxy stops)
        var one = new byte[1];
        try
        {
            while (await control.ReadAsync(one, _stop.Token) > 0) { }
            if (CloseUdpControl) await echo.WaitAsync(_stop.Token);
        }
        finally
        {
            relay.Close();
            try { await echo; } catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop;
    }
}
