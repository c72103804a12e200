using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.TlsHello;

namespace Proxy.Tests.Protocols.TlsHello;

/// <summary>ClientHello bytes for tests: real ones (SslStream, openssl s_client) and synthetic ones with chosen fields.</summary>
internal static class HelloBytes
{
    /// <summary>The first flight of a real SslStream client; the fake server answers EOF, which ends the handshake.</summary>
    public static async Task<byte[]> FromSslStreamAsync(string targetHost, params string[] alpn)
    {
        var capture = new CaptureStream();
        await using var ssl = new SslStream(capture);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            ApplicationProtocols = alpn.Select(p => new SslApplicationProtocol(p)).ToList(),
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<Exception>(() => ssl.AuthenticateAsClientAsync(options, cts.Token));
        Assert.True(capture.Written.Length > 0, "SslStream wrote no ClientHello");
        return capture.Written.ToArray();
    }

    /// <summary>Runs openssl s_client against a loopback listener and returns the records of its ClientHello.</summary>
    public static async Task<byte[]> FromOpensslAsync(params string[] args)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var psi = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["s_client", "-connect", $"127.0.0.1:{port}", .. args]) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            using var client = await listener.AcceptTcpClientAsync(cts.Token);
            var stream = client.GetStream();
            var received = new MemoryStream();
            var chunk = new byte[4096];
            while (true)
            {
                var result = ClientHelloParser.Parse(new(received.ToArray()));
                if (result.Status != ParseStatus.NeedMore) return received.ToArray();
                var n = await stream.ReadAsync(chunk, cts.Token);
                if (n == 0) return received.ToArray();
                received.Write(chunk, 0, n);
            }
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>A ClientHello handshake message (type 1 + 24-bit length + body) with the given extensions.</summary>
    public static byte[] Message(IEnumerable<(ushort Type, byte[] Data)>? extensions, int cipherSuites = 2, ushort legacyVersion = 0x0303)
    {
        var body = new List<byte>();
        body.AddRange(U16(legacyVersion));
        body.AddRange(new byte[32]);
        body.Add(0);
        body.AddRange(U16((ushort)(cipherSuites * 2)));
        for (var i = 0; i < cipherSuites; i++) body.AddRange(U16((ushort)(0x1301 + i)));
        body.AddRange([1, 0]);
        if (extensions is not null)
        {
            var ext = extensions.SelectMany(e => U16(e.Type).Concat(U16((ushort)e.Data.Length)).Concat(e.Data)).ToArray();
            body.AddRange(U16((ushort)ext.Length));
            body.AddRange(ext);
        }
        return [1, (byte)(body.Count >> 16), (byte)(body.Count >> 8), (byte)body.Count, .. body];
    }

    /// <summary>Frames a handshake message into handshake records of at most recordSize payload bytes.</summary>
    public static byte[] Records(byte[] message, int recordSize = 16384)
    {
        var output = new List<byte>();
        for (var i = 0; i < message.Length; i += recordSize)
        {
            var n = Math.Min(recordSize, message.Length - i);
            output.AddRange([22, 3, 1, (byte)(n >> 8), (byte)n]);
            output.AddRange(message.AsSpan(i, n).ToArray());
        }
        return [.. output];
    }

    /// <summary>The handshake message inside one or more records.</summary>
    public static byte[] Unframe(byte[] records)
    {
        var output = new List<byte>();
        for (var i = 0; i + 5 <= records.Length;)
        {
            var n = (records[i + 3] << 8) | records[i + 4];
            output.AddRange(records.AsSpan(i + 5, n).ToArray());
            i += 5 + n;
        }
        return [.. output];
    }

    public static (ushort, byte[]) Sni(string name) => Sni(Encoding.ASCII.GetBytes(name));

    public static (ushort, byte[]) Sni(byte[] name) =>
        (0, [.. U16((ushort)(name.Length + 3)), 0, .. U16((ushort)name.Length), .. name]);

    public static (ushort, byte[]) Alpn(params string[] protocols)
    {
        var list = protocols.SelectMany(p => new[] { (byte)p.Length }.Concat(Encoding.ASCII.GetBytes(p))).ToArray();
        return (16, [.. U16((ushort)list.Length), .. list]);
    }

    public static (ushort, byte[]) SignatureAlgorithms(params ushort[] schemes) =>
        (13, [.. U16((ushort)(schemes.Length * 2)), .. schemes.SelectMany(U16)]);

    public static (ushort, byte[]) SupportedVersions(params ushort[] versions) =>
        (43, [(byte)(versions.Length * 2), .. versions.SelectMany(U16)]);

    public static byte[] U16(ushort value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        return b;
    }

    /// <summary>Keeps what the client writes; reads end the conversation.</summary>
    private sealed class CaptureStream : Stream
    {
        public MemoryStream Written { get; } = new();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => 0;
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(0);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
    }
}
