using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Tests.Resolvers;

/// <summary>
/// A tiny authoritative DNS server on 127.0.0.1:0 (UDP) for tests: answers A/AAAA from a
/// table with chosen TTLs, NOERROR/no-data for a known name of the other type, NXDOMAIN for
/// unknown names; counts queries; can hold answers behind a gate or never answer; can
/// truncate UDP answers so the client must repeat the query over TCP (same port).
/// </summary>
internal sealed class TestDnsServer : IAsyncDisposable
{
    private readonly UdpClient _udp;
    private readonly TcpListener _tcp;
    private readonly Task _tcpLoop;
    private int _tcpQueries;
    private readonly ConcurrentDictionary<(string, ushort), (uint Ttl, IPAddress[] Addrs)> _records = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _queries;
    private volatile TaskCompletionSource _gate = Open();

    public TestDnsServer()
    {
        (_tcp, _udp) = BindPair();
        _loop = Task.Run(LoopAsync);
        _tcpLoop = Task.Run(TcpLoopAsync);
    }

    /// <summary>A TCP and a UDP socket on one loopback port (DNS clients fall back on the same port).</summary>
    private static (TcpListener, UdpClient) BindPair()
    {
        for (var attempt = 0; ; attempt++)
        {
            var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            try
            {
                return (tcp, new UdpClient(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)tcp.LocalEndpoint).Port)));
            }
            catch (SocketException) when (attempt < 10)
            {
                tcp.Stop(); // the UDP side of that port is taken: pick another
            }
        }
    }

    public int TcpQueries => Volatile.Read(ref _tcpQueries);
    /// <summary>Answer UDP with TC set and no records, forcing the TCP retry.</summary>
    public bool TruncateUdp { get; set; }

    public IPEndPoint EndPoint => (IPEndPoint)_udp.Client.LocalEndPoint!;
    /// <summary>Where the last UDP and TCP queries came from (source-address checks).</summary>
    public IPEndPoint? LastUdpSource { get; private set; }
    public IPEndPoint? LastTcpSource { get; private set; }
    public int Queries => Volatile.Read(ref _queries);
    /// <summary>Swallow every query (a dead server).</summary>
    public bool Silent { get; set; }

    public void SetA(string name, uint ttl, params string[] ips) => Set(name, 1, ttl, ips);
    public void SetAaaa(string name, uint ttl, params string[] ips) => Set(name, 28, ttl, ips);

    /// <summary>Hold answers until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    public void Release() => _gate.TrySetResult();

    private void Set(string name, ushort type, uint ttl, string[] ips) =>
        _records[(name.ToLowerInvariant(), type)] = (ttl, ips.Select(IPAddress.Parse).ToArray());

    private static TaskCompletionSource Open()
    {
        var tcs = new TaskCompletionSource();
        tcs.SetResult();
        return tcs;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult packet;
            try { packet = await _udp.ReceiveAsync(_stop.Token); }
            catch (Exception) { return; }
            Interlocked.Increment(ref _queries);
            LastUdpSource = packet.RemoteEndPoint;
            if (Silent) continue;
            _ = AnswerAsync(packet);
        }
    }

    private async Task AnswerAsync(UdpReceiveResult packet)
    {
        try
        {
            await _gate.Task.WaitAsync(_stop.Token);
            var reply = BuildReply(packet.Buffer, truncate: TruncateUdp);
            if (reply is not null) await _udp.SendAsync(reply, packet.RemoteEndPoint, _stop.Token);
        }
        catch (Exception)
        {
            // Test teardown.
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket conn;
            try { conn = await _tcp.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = ServeTcpAsync(conn);
        }
    }

    private async Task ServeTcpAsync(Socket conn)
    {
        LastTcpSource = conn.RemoteEndPoint as IPEndPoint;
        using var stream = new NetworkStream(conn, ownsSocket: true);
        try
        {
            var len = new byte[2];
            await stream.ReadExactlyAsync(len, _stop.Token);
            var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
            await stream.ReadExactlyAsync(query, _stop.Token);
            Interlocked.Increment(ref _tcpQueries);
            var reply = BuildReply(query, truncate: false);
            if (reply is null) return;
            await stream.WriteAsync(BigEndian((ushort)reply.Length), _stop.Token);
            await stream.WriteAsync(reply, _stop.Token);
        }
        catch (Exception)
        {
            // Client gone or teardown.
        }
    }

    private byte[]? BuildReply(byte[] q, bool truncate)
    {
        if (q.Length < 12) return null;
        // Question: labels up to the zero byte, then qtype and qclass.
        var pos = 12;
        var labels = new List<string>();
        while (pos < q.Length && q[pos] != 0)
        {
            int len = q[pos];
            labels.Add(Encoding.ASCII.GetString(q, pos + 1, len));
            pos += len + 1;
        }
        pos++;
        var qtype = BinaryPrimitives.ReadUInt16BigEndian(q.AsSpan(pos));
        var questionEnd = pos + 4;
        var name = string.Join('.', labels).ToLowerInvariant();

        var known = _records.Keys.Any(k => k.Item1 == name);
        var found = _records.TryGetValue((name, qtype), out var rr);
        var answers = found && !truncate ? rr.Addrs : [];
        var rcode = known ? 0 : 3; // NXDOMAIN for unknown names

        var reply = new List<byte>();
        reply.AddRange(q.AsSpan(0, 2).ToArray());                 // id
        var rd = q[2] & 0x01;
        reply.Add((byte)(0x84 | (truncate ? 0x02 : 0) | rd));      // QR, AA, TC, RD copied
        reply.Add((byte)(0x80 | rcode));                           // RA, rcode
        reply.AddRange([0, 1]);                                    // QDCOUNT
        reply.AddRange(BigEndian((ushort)answers.Length));         // ANCOUNT
        reply.AddRange([0, 0, 0, 0]);                              // NSCOUNT, ARCOUNT
        reply.AddRange(q.AsSpan(12, questionEnd - 12).ToArray());  // question
        foreach (var ip in answers)
        {
            reply.AddRange([0xC0, 0x0C]);                          // name: pointer to question
            reply.AddRange(BigEndian(qtype));
            reply.AddRange([0, 1]);                                // class IN
            var ttl = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(ttl, rr.Ttl);
            reply.AddRange(ttl);
            var data = ip.GetAddressBytes();
            reply.AddRange(BigEndian((ushort)data.Length));
            reply.AddRange(data);
        }
        return reply.ToArray();
    }

    private static byte[] BigEndian(ushort v) => [(byte)(v >> 8), (byte)v];

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _udp.Dispose();
        _tcp.Stop();
        await _loop;
        await _tcpLoop;
        _stop.Dispose();
    }
}
