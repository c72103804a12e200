using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Relay;

namespace Proxy.Tests.Relay;

public sealed class TunnelRelayTests
{
    /// <summary>Two connected loopback sockets.</summary>
    private static async Task<(Socket A, Socket B)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var a = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await a.ConnectAsync(listener.LocalEndPoint!);
        return (a, await accept);
    }

    private static RelayEndpoint End(Socket s) => new(new NetworkStream(s, ownsSocket: false), s);

    private static async Task<byte[]> ReadToEndAsync(Socket s)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var ms = new MemoryStream();
        var buf = new byte[16 * 1024];
        int n;
        while ((n = await s.ReceiveAsync(buf, SocketFlags.None, cts.Token)) > 0) ms.Write(buf, 0, n);
        return ms.ToArray();
    }

    [Fact]
    public async Task Relay_CopiesBothWays_PassesHalfClose_CountsBytes()
    {
        var (client, clientInner) = await PairAsync();
        var (remoteInner, remote) = await PairAsync();
        using var _ = client; using var __ = clientInner; using var ___ = remoteInner; using var ____ = remote;
        var bytes = new TaskBytes();
        using var activity = new ActivityTracker(CancellationToken.None);
        var relay = TunnelRelay.RunAsync(End(clientInner), End(remoteInner),
            new RelayOptions(16 * 1024, TcpSockSpeedLimit.Unlimited, TcpSockSpeedLimit.Unlimited, TimeProvider.System), bytes, activity);

        var up = new byte[100_000];
        Random.Shared.NextBytes(up);
        await client.SendAsync(up);
        client.Shutdown(SocketShutdown.Send);
        // The FIN reaches the remote; the other direction stays open.
        Assert.Equal(up, await ReadToEndAsync(remote));
        await remote.SendAsync("reply"u8.ToArray());
        remote.Shutdown(SocketShutdown.Send);
        Assert.Equal("reply"u8.ToArray(), await ReadToEndAsync(client));

        Assert.Equal(RelayEnd.ClosedByClient, await relay.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(100_000, bytes.ClientRead);
        Assert.Equal(100_000, bytes.RemoteWritten);
        Assert.Equal(5, bytes.RemoteRead);
        Assert.Equal(5, bytes.ClientWritten);
    }

    [Fact]
    public async Task SpeedLimit_SlowsTheTransfer()
    {
        var (client, clientInner) = await PairAsync();
        var (remoteInner, remote) = await PairAsync();
        using var _ = client; using var __ = clientInner; using var ___ = remoteInner; using var ____ = remote;
        // 10,000 bytes per 128 ms slice upload: 40,000 bytes need at least three slice waits.
        var limit = new TcpSockSpeedLimit(7, 10_000, 0);
        using var activity = new ActivityTracker(CancellationToken.None);
        var relay = TunnelRelay.RunAsync(End(clientInner), End(remoteInner),
            new RelayOptions(16 * 1024, limit, TcpSockSpeedLimit.Unlimited, TimeProvider.System), new TaskBytes(), activity);

        var sw = Stopwatch.StartNew();
        await client.SendAsync(new byte[40_000]);
        client.Shutdown(SocketShutdown.Send);
        var got = await ReadToEndAsync(remote);
        sw.Stop();
        remote.Shutdown(SocketShutdown.Send);
        await relay.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(40_000, got.Length);
        Assert.True(sw.ElapsedMilliseconds >= 300, $"took {sw.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task IdleTunnel_IsClosedAfterMaxIdleChecks()
    {
        var (client, clientInner) = await PairAsync();
        var (remoteInner, remote) = await PairAsync();
        using var _ = client; using var __ = clientInner; using var ___ = remoteInner; using var ____ = remote;
        using var watcher = new IdleWatcher(TimeSpan.FromHours(1), 2, TimeProvider.System);
        using var activity = new ActivityTracker(CancellationToken.None);
        using var reg = watcher.Track(activity);
        var relay = TunnelRelay.RunAsync(End(clientInner), End(remoteInner),
            new RelayOptions(16 * 1024, TcpSockSpeedLimit.Unlimited, TcpSockSpeedLimit.Unlimited, TimeProvider.System), new TaskBytes(), activity);

        // task_idle_max_count 2: the first idle check only counts, the second closes the task.
        watcher.Sweep();
        Assert.False(activity.Token.IsCancellationRequested);
        watcher.Sweep();
        Assert.True(activity.Token.IsCancellationRequested);

        Assert.Equal(RelayEnd.Idle, await relay.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void ActiveTask_IsNotCountedIdle()
    {
        using var activity = new ActivityTracker(CancellationToken.None);
        for (var i = 0; i < 10; i++)
        {
            activity.Touch();
            Assert.False(activity.Check(2));
        }
        Assert.False(activity.Token.IsCancellationRequested);
    }
}
