using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Proxy.Tests.Integration;

/// <summary>
/// A line conversation over any stream (plain or TLS) for the mail tests: lines and SMTP-style
/// replies read within 10 s each, bytes after them kept for the next read.
/// </summary>
internal sealed class LineConversation(Stream stream)
{
    private byte[] _pending = [];

    public Stream Stream => stream;

    public Task SendAsync(string text) => stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

    /// <summary>Everything up to and including <paramref name="marker"/>; null when the peer closes first.</summary>
    public async Task<string?> ReadUntilAsync(string marker)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var m = Encoding.UTF8.GetBytes(marker);
        var buffer = new byte[4096];
        while (true)
        {
            var at = _pending.AsSpan().IndexOf(m);
            if (at >= 0)
            {
                var text = Encoding.UTF8.GetString(_pending, 0, at + m.Length);
                _pending = _pending[(at + m.Length)..];
                return text;
            }
            var n = await stream.ReadAsync(buffer, cts.Token);
            if (n == 0) return null;
            _pending = [.. _pending, .. buffer.AsSpan(0, n)];
        }
    }

    public Task<string?> ReadLineAsync() => ReadUntilAsync("\r\n");

    /// <summary>A whole SMTP reply (its lines until "ddd "), as received.</summary>
    public async Task<string> ReplyAsync()
    {
        var sb = new StringBuilder();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new EndOfStreamException("closed inside a reply: " + sb);
            sb.Append(line);
            if (line.Length < 4 || line[3] == ' ') return sb.ToString();
        }
    }
}

/// <summary>
/// An SMTP server written for the tests (RFC 5321 subset): greeting, EHLO announcing STARTTLS (and
/// ENHANCEDSTATUSCODES, which g3's filter drops), STARTTLS with the given certificate, MAIL, RCPT,
/// DATA (the raw mail, dot-stuffing and all, kept as received), QUIT. Loopback, port 0.
/// </summary>
internal sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    private TestSmtpServer(X509Certificate2 certificate)
    {
        _certificate = certificate;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public static TestSmtpServer Start(X509Certificate2 certificate) => new(certificate);

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Every command line received, with whether it came inside TLS.</summary>
    public ConcurrentQueue<(string Line, bool Tls)> Commands { get; } = new();

    /// <summary>The DATA of each mail as it arrived, up to (not including) the terminating ".\r\n".</summary>
    public ConcurrentQueue<string> Mails { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = ServeAsync(socket);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        var tls = false;
        var c = new LineConversation(stream);
        try
        {
            await c.SendAsync("220 mail.test ESMTP G3Actors test server\r\n");
            while (await c.ReadLineAsync() is { } line)
            {
                Commands.Enqueue((line.TrimEnd(), tls));
                var verb = line.Split(' ', 2)[0].Trim().ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await c.SendAsync(tls
                            ? "250-mail.test greets you\r\n250-PIPELINING\r\n250 SIZE 1048576\r\n"
                            : "250-mail.test greets you\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250 SIZE 1048576\r\n");
                        break;
                    case "STARTTLS":
                        await c.SendAsync("220 2.0.0 ready to start TLS\r\n");
                        var ssl = new SslStream(stream);
                        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                        stream = ssl;
                        c = new LineConversation(ssl);
                        tls = true;
                        break;
                    case "MAIL" or "RCPT":
                        await c.SendAsync("250 2.1.0 ok\r\n");
                        break;
                    case "DATA":
                        await c.SendAsync("354 end data with <CR><LF>.<CR><LF>\r\n");
                        var data = await c.ReadUntilAsync("\r\n.\r\n");
                        if (data is null) return;
                        Mails.Enqueue(data[..^3]);
                        await c.SendAsync("250 2.0.0 queued as T1\r\n");
                        break;
                    case "QUIT":
                        await c.SendAsync("221 2.0.0 bye\r\n");
                        return;
                    default:
                        await c.SendAsync("502 5.5.2 not implemented\r\n");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException) { }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}

/// <summary>
/// An IMAP server written for the tests (RFC 9051 subset): greeting announcing STARTTLS, CAPABILITY,
/// STARTTLS with the given certificate, LOGIN, APPEND with a synchronizing literal (kept as received),
/// FETCH answering that message as a literal, LOGOUT (BYE, then close). Loopback, port 0.
/// </summary>
internal sealed class TestImapServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    private TestImapServer(X509Certificate2 certificate)
    {
        _certificate = certificate;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public static TestImapServer Start(X509Certificate2 certificate) => new(certificate);

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The messages APPENDed, as their literals arrived.</summary>
    public ConcurrentQueue<string> Appended { get; } = new();

    /// <summary>Every command line received, with whether it came inside TLS.</summary>
    public ConcurrentQueue<(string Line, bool Tls)> Commands { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = ServeAsync(socket);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        var tls = false;
        var c = new LineConversation(stream);
        try
        {
            await c.SendAsync("* OK [CAPABILITY IMAP4rev1 STARTTLS] test server ready\r\n");
            while (await c.ReadLineAsync() is { } line)
            {
                Commands.Enqueue((line.TrimEnd(), tls));
                var parts = line.TrimEnd().Split(' ', 3);
                var tag = parts[0];
                switch (parts.Length > 1 ? parts[1].ToUpperInvariant() : "")
                {
                    case "CAPABILITY":
                        await c.SendAsync($"* CAPABILITY IMAP4rev1 {(tls ? "AUTH=PLAIN" : "STARTTLS LOGINDISABLED")}\r\n{tag} OK done\r\n");
                        break;
                    case "STARTTLS":
                        await c.SendAsync($"{tag} OK begin TLS now\r\n");
                        var ssl = new SslStream(stream);
                        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                        stream = ssl;
                        c = new LineConversation(ssl);
                        tls = true;
                        break;
                    case "LOGIN":
                        await c.SendAsync($"{tag} OK logged in\r\n");
                        break;
                    case "APPEND":
                        var size = int.Parse(line.TrimEnd()[(line.LastIndexOf('{') + 1)..^1]);
                        await c.SendAsync("+ ready for literal data\r\n");
                        var rest = new StringBuilder();
                        while (rest.Length < size + 2) rest.Append(await c.ReadLineAsync() ?? throw new EndOfStreamException());
                        Appended.Enqueue(rest.ToString()[..size]);
                        await c.SendAsync($"{tag} OK APPEND completed\r\n");
                        break;
                    case "FETCH":
                        var message = Appended.LastOrDefault() ?? "";
                        await c.SendAsync($"* 1 FETCH (BODY[] {{{Encoding.UTF8.GetByteCount(message)}}}\r\n{message})\r\n{tag} OK FETCH completed\r\n");
                        break;
                    case "LOGOUT":
                        await c.SendAsync($"* BYE logging out\r\n{tag} OK LOGOUT completed\r\n");
                        return;
                    default:
                        await c.SendAsync($"{tag} BAD unknown command\r\n");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException) { }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}
