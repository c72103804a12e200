using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Tests.Integration;

/// <summary>A StatsD server in the test, on loopback UDP: every line received, kept in order.</summary>
internal sealed class StatsdReceiver : IAsyncDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Task _receiving;
    private int _maxDatagram;

    public StatsdReceiver()
    {
        Port = ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;
        _receiving = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var r = await _udp.ReceiveAsync(_stop.Token);
                _maxDatagram = Math.Max(_maxDatagram, r.Buffer.Length);
                foreach (var l in Encoding.UTF8.GetString(r.Buffer).Split('\n', StringSplitOptions.RemoveEmptyEntries)) _lines.Enqueue(l);
            }
        });
    }

    public int Port { get; }
    public IEnumerable<string> Lines => _lines;
    public int MaxDatagram => _maxDatagram;

    /// <summary>The total of a count (or the sum of gauges) named <paramref name="name"/> on lines carrying <paramref name="tag"/>.</summary>
    public long Sum(string name, string tag) => Sum(name, [tag]);

    /// <summary>The total of a count named <paramref name="name"/> on lines carrying every one of <paramref name="tags"/>.</summary>
    public long Sum(string name, params string[] tags) => _lines
        .Where(l => l.StartsWith("g3proxy." + name + ":") && tags.All(l.Split("|#")[1].Split(',').Contains))
        .Sum(l => long.Parse(l.Split(':')[1].Split('|')[0]));

    /// <summary>The value of the last gauge named <paramref name="name"/> carrying every one of <paramref name="tags"/> (null: none yet).</summary>
    public long? LastGauge(string name, params string[] tags) => _lines
        .Where(l => l.StartsWith("g3proxy." + name + ":") && l.Contains("|g") && tags.All(l.Split("|#")[1].Split(',').Contains))
        .Select(l => (long?)long.Parse(l.Split(':')[1].Split('|')[0]))
        .LastOrDefault();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _receiving; } catch (OperationCanceledException) { }
        _udp.Dispose();
        _stop.Dispose();
    }
}
