using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Tests.Integration;

/// <summary>A raw HTTP/1.x exchange over a socket, for what HttpClient will not send (bad input, https:// in plain text).</summary>
public sealed class RawHttp : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private RawHttp(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<RawHttp> ConnectAsync(IPEndPoint ep)
    {
        var s = new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await s.ConnectAsync(ep);
        return new RawHttp(s);
    }

    public Stream Stream => _stream;

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] data) => await _stream.WriteAsync(data);

    public sealed record Response(int Status, string Head, byte[] Body)
    {
        public string BodyText => Encoding.UTF8.GetString(Body);
        public string? Header(string name)
        {
            foreach (var line in Head.Split("\r\n").Skip(1))
            {
                var colon = line.IndexOf(':');
                if (colon > 0 && line[..colon].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
            }
            return null;
        }
    }

    /// <summary>Reads one response (Content-Length, chunked or until close), bounded by <paramref name="timeoutMs"/>.</summary>
    public async Task<Response> ReadResponseAsync(bool headRequest = false, int timeoutMs = 15000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var head = await ReadHeadAsync(cts.Token);
        var status = int.Parse(head.Split(' ')[1]);
        var r = new Response(status, head, []);
        if (headRequest || status is < 200 or 204 or 304) return r;
        var te = r.Header("Transfer-Encoding");
        if (te is not null && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var body = new MemoryStream();
            while (true)
            {
                var line = await ReadLineAsync(cts.Token);
                var size = Convert.ToInt32(line.Split(';')[0].Trim(), 16);
                if (size == 0)
                {
                    while ((await ReadLineAsync(cts.Token)).Length > 0) { }
                    break;
                }
                body.Write(await ReadExactAsync(size, cts.Token));
                await ReadLineAsync(cts.Token);
            }
            return r with { Body = body.ToArray() };
        }
        if (r.Header("Content-Length") is { } cl) return r with { Body = await ReadExactAsync(int.Parse(cl), cts.Token) };
        return r with { Body = await ReadToEndAsync(cts.Token) };
    }

    /// <summary>True when the peer closed the connection (read returns 0) within the time.</summary>
    public async Task<bool> ClosedByPeerAsync(int timeoutMs = 10000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            var buf = new byte[4096];
            while (true)
            {
                _bufPos = _bufLen;
                var n = await _stream.ReadAsync(buf, cts.Token);
                if (n == 0) return true;
            }
        }
        catch (OperationCanceledException) { return false; }
        catch (IOException) { return true; }
    }

    private async Task<string> ReadHeadAsync(CancellationToken ct)
    {
        var sb = new StringBuilder();
        while (true)
        {
            var line = await ReadLineAsync(ct);
            if (line.Length == 0 && sb.Length > 0) return sb.ToString();
            if (line.Length == 0) continue;
            if (sb.Length > 0) sb.Append("\r\n");
            sb.Append(line);
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        var bytes = new List<byte>();
        while (true)
        {
            var b = await ReadByteAsync(ct);
            if (b < 0) throw new IOException("connection closed");
            if (b == '\n') break;
            bytes.Add((byte)b);
        }
        if (bytes.Count > 0 && bytes[^1] == '\r') bytes.RemoveAt(bytes.Count - 1);
        return Encoding.Latin1.GetString(bytes.ToArray());
    }

    private readonly byte[] _buf = new byte[16384];
    private int _bufPos, _bufLen;

    private async Task<int> ReadByteAsync(CancellationToken ct)
    {
        if (_bufPos == _bufLen)
        {
            _bufLen = await _stream.ReadAsync(_buf, ct);
            _bufPos = 0;
            if (_bufLen == 0) return -1;
        }
        return _buf[_bufPos++];
    }

    private async Task<byte[]> ReadExactAsync(int n, CancellationToken ct)
    {
        var result = new byte[n];
        var got = 0;
        while (got < n && _bufPos < _bufLen) result[got++] = _buf[_bufPos++];
        while (got < n)
        {
            var r = await _stream.ReadAsync(result.AsMemory(got), ct);
            if (r == 0) throw new IOException("connection closed in body");
            got += r;
        }
        return result;
    }

    private async Task<byte[]> ReadToEndAsync(CancellationToken ct)
    {
        var ms = new MemoryStream();
        ms.Write(_buf, _bufPos, _bufLen - _bufPos);
        _bufPos = _bufLen;
        await _stream.CopyToAsync(ms, ct);
        return ms.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
