using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Tests.Integration;

/// <summary>
/// An ICAP server written for the tests, on loopback. It answers OPTIONS (with <see cref="Preview"/>
/// and <c>Allow: 204</c>) and then REQMOD/RESPMOD as its <see cref="Behaviour"/> says: a URL with
/// <c>/blocked</c> gets an encapsulated HTTP 403, <c>/modify</c> a changed request, <c>/replace</c> a
/// changed response, everything else 204. A mail (g3's <c>PUT /</c> of message/rfc822) with "forbidden" in it
/// gets the 403, any other comes back with "rewrite-me" made "rewritten". <see cref="Silent"/> makes it accept and never answer.
/// It records each ICAP request head and the body chunks it received.
/// </summary>
public sealed class ScriptedIcapServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _accept;
    private readonly ConcurrentBag<Socket> _open = [];

    public ScriptedIcapServer(bool silent = false, int? preview = null)
    {
        Silent = silent;
        Preview = preview;
        _listener.Start();
        _accept = AcceptLoopAsync();
    }

    public bool Silent { get; }
    public int? Preview { get; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public ConcurrentQueue<Seen> Requests { get; } = new();
    public int Connections;

    public sealed record Seen(string Head, string HttpHeads, string Body, bool Ieof);

    private async Task AcceptLoopAsync()
    {
        while (!_cts.IsCancellationRequested)
        {
            Socket s;
            try { s = await _listener.AcceptSocketAsync(_cts.Token); }
            catch (Exception) { return; }
            Interlocked.Increment(ref Connections);
            _open.Add(s);
            _ = Task.Run(() => ServeAsync(s));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = new ByteReader(stream);
        try
        {
            while (true)
            {
                var head = await reader.ReadUntilAsync("\r\n\r\n"u8.ToArray(), _cts.Token);
                if (head is null) return;
                if (Silent) continue;
                var text = Encoding.Latin1.GetString(head);
                if (text.StartsWith("OPTIONS", StringComparison.Ordinal))
                {
                    var preview = Preview is { } p ? $"Preview: {p}\r\n" : "";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(
                        $"ICAP/1.0 200 OK\r\nMethods: REQMOD, RESPMOD\r\nISTag: \"t1\"\r\nAllow: 204\r\n{preview}Options-TTL: 60\r\nEncapsulated: null-body=0\r\n\r\n"), _cts.Token);
                    continue;
                }
                var enc = Header(text, "Encapsulated")!;
                var parts = enc.Split(',', StringSplitOptions.TrimEntries).Select(p => p.Split('=')).ToArray();
                var bodyAt = int.Parse(parts[^1][1]);
                var heads = Encoding.Latin1.GetString(await reader.ReadExactAsync(bodyAt, _cts.Token));
                var body = new StringBuilder();
                var ieof = false;
                if (!parts[^1][0].Equals("null-body", StringComparison.Ordinal))
                {
                    while (true)
                    {
                        var sizeLine = Encoding.ASCII.GetString(await reader.ReadUntilAsync("\r\n"u8.ToArray(), _cts.Token) ?? []).TrimEnd();
                        ieof |= sizeLine.Contains("ieof");
                        var size = Convert.ToInt32(sizeLine.Split(';')[0].Trim(), 16);
                        if (size == 0)
                        {
                            await reader.ReadExactAsync(2, _cts.Token);
                            break;
                        }
                        body.Append(Encoding.Latin1.GetString(await reader.ReadExactAsync(size, _cts.Token)));
                        await reader.ReadExactAsync(2, _cts.Token);
                    }
                }
                Requests.Enqueue(new Seen(text, heads, body.ToString(), ieof));
                await stream.WriteAsync(Answer(text, heads, body.ToString()), _cts.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static byte[] Answer(string icapHead, string heads, string body)
    {
        var firstLine = heads[..heads.IndexOf('\r')];
        if (icapHead.StartsWith("REQMOD", StringComparison.Ordinal) && firstLine == "PUT / HTTP/1.1")
        {
            if (body.Contains("forbidden", StringComparison.Ordinal)) return Blocked();
            var mail = Encoding.Latin1.GetBytes(body.Replace("rewrite-me", "rewritten", StringComparison.Ordinal));
            return [.. Encoding.ASCII.GetBytes($"ICAP/1.0 200 OK\r\nISTag: \"t1\"\r\nEncapsulated: req-hdr=0, req-body={heads.Length}\r\n\r\n{heads}{mail.Length:x}\r\n"),
                .. mail, .. "\r\n0\r\n\r\n"u8];
        }
        if (icapHead.StartsWith("REQMOD", StringComparison.Ordinal) && firstLine.Contains("/blocked")) return Blocked();
        if (icapHead.StartsWith("REQMOD", StringComparison.Ordinal) && firstLine.Contains("/modify"))
        {
            var changed = heads.Replace("/modify", "/echo");
            var req = changed.Insert(changed.Length - 2, "X-Icap-Modified: yes\r\n");
            return Encoding.ASCII.GetBytes($"ICAP/1.0 200 OK\r\nISTag: \"t1\"\r\nX-Icap-Verdict: changed\r\nEncapsulated: req-hdr=0, null-body={req.Length}\r\n\r\n{req}");
        }
        if (icapHead.StartsWith("RESPMOD", StringComparison.Ordinal) && firstLine.Contains("/replace"))
        {
            const string rsp = "HTTP/1.1 200 OK\r\nContent-Length: 999\r\nX-Icap-Replaced: yes\r\n\r\n";
            return Encoding.ASCII.GetBytes($"ICAP/1.0 200 OK\r\nISTag: \"t1\"\r\nEncapsulated: res-hdr=0, res-body={rsp.Length}\r\n\r\n{rsp}8\r\nreplaced\r\n0\r\n\r\n");
        }
        return "ICAP/1.0 204 No Content\r\nISTag: \"t1\"\r\nEncapsulated: null-body=0\r\n\r\n"u8.ToArray();
    }

    private static byte[] Blocked()
    {
        const string rsp = "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\n";
        return Encoding.ASCII.GetBytes($"ICAP/1.0 200 OK\r\nISTag: \"t1\"\r\nEncapsulated: res-hdr=0, res-body={rsp.Length}\r\n\r\n{rsp}7\r\nblocked\r\n0\r\n\r\n");
    }

    private static string? Header(string head, string name)
    {
        foreach (var line in head.Split("\r\n"))
            if (line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)) return line[(name.Length + 1)..].Trim();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener.Stop();
        foreach (var s in _open) s.Dispose();
        await _accept;
        _cts.Dispose();
    }

    /// <summary>Buffered reads of delimited and counted bytes.</summary>
    private sealed class ByteReader(Stream stream)
    {
        private readonly List<byte> _buf = [];

        public async Task<byte[]?> ReadUntilAsync(byte[] delimiter, CancellationToken ct)
        {
            while (true)
            {
                var at = IndexOf(delimiter);
                if (at >= 0)
                {
                    var result = _buf.GetRange(0, at + delimiter.Length).ToArray();
                    _buf.RemoveRange(0, at + delimiter.Length);
                    return result;
                }
                if (!await FillAsync(ct)) return null;
            }
        }

        public async Task<byte[]> ReadExactAsync(int n, CancellationToken ct)
        {
            while (_buf.Count < n)
                if (!await FillAsync(ct)) throw new IOException("closed");
            var result = _buf.GetRange(0, n).ToArray();
            _buf.RemoveRange(0, n);
            return result;
        }

        private async Task<bool> FillAsync(CancellationToken ct)
        {
            var tmp = new byte[8192];
            var n = await stream.ReadAsync(tmp, ct);
            if (n == 0) return false;
            _buf.AddRange(tmp.AsSpan(0, n));
            return true;
        }

        private int IndexOf(byte[] d)
        {
            for (var i = 0; i + d.Length <= _buf.Count; i++)
            {
                var ok = true;
                for (var j = 0; j < d.Length && ok; j++) ok = _buf[i + j] == d[j];
                if (ok) return i;
            }
            return -1;
        }
    }
}
