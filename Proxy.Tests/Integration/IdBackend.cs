using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Proxy.Tests.Integration;

/// <summary>
/// A TCP backend on 127.0.0.1 that writes its id to every connection (over TLS when given a
/// certificate, recording the SNI it saw) and then echoes what it reads until the client closes;
/// or, as an HTTP backend, answers one request with its id as the body.
/// </summary>
public sealed class IdBackend : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;
    private readonly X509Certificate2? _cert;
    private readonly bool _http;
    private int _accepted;

    public IdBackend(string id, X509Certificate2? cert = null, bool http = false)
    {
        Id = id;
        _cert = cert;
        _http = http;
        _listener.Start();
        _loop = AcceptLoop();
    }

    public string Id { get; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Accepted => Volatile.Read(ref _accepted);
    public string? LastSni { get; private set; }
    public string? LastRequestHead { get; private set; }

    /// <summary>A certificate for <paramref name="name"/> signed by the test CA, usable by SslStream.</summary>
    public static X509Certificate2 Certificate(TestCertificates certs, string name)
    {
        var (cert, key) = certs.Leaf(name);
        using var withKey = X509Certificate2.CreateFromPem(cert, key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private async Task AcceptLoop()
    {
        while (!_cts.IsCancellationRequested)
        {
            Socket s;
            try { s = await _listener.AcceptSocketAsync(_cts.Token); }
            catch (Exception) { return; }
            Interlocked.Increment(ref _accepted);
            _ = Serve(s);
        }
    }

    private async Task Serve(Socket s)
    {
        using var _ = s;
        System.IO.Stream stream = new NetworkStream(s, ownsSocket: false);
        try
        {
            if (_cert is not null)
            {
                var ssl = new SslStream(stream);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _cert }, _cts.Token);
                LastSni = ssl.TargetHostName;
                stream = ssl;
            }
            var buf = new byte[4096];
            int n;
            if (_http)
            {
                var head = new StringBuilder();
                while (!head.ToString().Contains("\r\n\r\n") && head.Length < 65536 && (n = await stream.ReadAsync(buf, _cts.Token)) > 0)
                    head.Append(Encoding.ASCII.GetString(buf, 0, n));
                LastRequestHead = head.ToString();
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {Id.Length}\r\nConnection: close\r\n\r\n{Id}"), _cts.Token);
                return;
            }
            await stream.WriteAsync(Encoding.ASCII.GetBytes(Id + "\n"), _cts.Token);
            while ((n = await stream.ReadAsync(buf, _cts.Token)) > 0) await stream.WriteAsync(buf.AsMemory(0, n), _cts.Token);
        }
        catch (Exception)
        {
            // A client that goes away mid-way is the test's business, not the backend's.
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
        _cts.Dispose();
        _cert?.Dispose();
    }
}
