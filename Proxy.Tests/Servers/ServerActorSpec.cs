using Proxy.Tests.Logging;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Logging;
using Proxy.Actors.Guardian;
using Proxy.Actors.Handles;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Stats;
using Proxy.Tests.Resolvers;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Servers;

[Collection(NodeCollection.Name)]
public sealed class ServerActorSpec : TestKit
{
    private static DummyCloseServerConfig Config(string name = "s") => new()
    {
        Name = name,
        Position = new ConfigPosition("main.yml", 1),
        Listen = new TcpListenConfig { Address = new IPEndPoint(IPAddress.Loopback, 0) },
    };

    /// <summary>A runtime that does what the test says with each connection.</summary>
    private sealed class ScriptedRuntime(Func<Socket, CancellationToken, Task> handle) : IServerRuntime
    {
        public Task HandleAsync(ClientTransport transport, ConnectionScope scope) => handle(transport.Socket!, scope.Token);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private readonly SharedLog _taskLog = new();

    private (IActorRef Server, IPEndPoint Endpoint) StartServer(IServerRuntime? runtime = null)
    {
        var guardian = CreateTestProbe();
        var services = new NodeServices(new TaskLogger(LogDriver.Stdout, _taskLog));
        var server = Sys.ActorOf(ServerActor.Props(Config(), services.ServerDeps, new ServerStats(), guardian, runtime), "server");
        var bound = guardian.ExpectMsg<NodeMessages.ServerBound>(TimeSpan.FromSeconds(10));
        return (server, Assert.Single(bound.Endpoints));
    }

    private static async Task<bool> ClosedByServerAsync(TcpClient client)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var n = await client.GetStream().ReadAsync(new byte[16], cts.Token);
        return n == 0;
    }

    private async Task<IActorRef> ConnectionActorAsync(IActorRef server, int id)
    {
        IActorRef? conn = null;
        await AwaitAssertAsync(async () =>
        {
            var identity = await Sys.ActorSelection(server.Path / $"conn-{id}").Ask<ActorIdentity>(new Identify(id));
            conn = identity.Subject;
            Assert.NotNull(conn);
        }, TimeSpan.FromSeconds(10));
        return conn!;
    }

    [Fact]
    public async Task DummyClose_AcceptsAndCloses()
    {
        var (_, ep) = StartServer();
        using var client = new TcpClient();
        await client.ConnectAsync(ep);
        Assert.True(await ClosedByServerAsync(client));
    }

    [Fact]
    public async Task FailingConnection_StopsOnlyItself_ServerKeepsAccepting()
    {
        var calls = 0;
        var runtime = new ScriptedRuntime((socket, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                socket.Dispose();
                throw new InvalidOperationException("bug in one connection");
            }
            socket.Send("ok"u8);
            socket.Dispose();
            return Task.CompletedTask;
        });
        var (server, ep) = StartServer(runtime);
        Watch(server);

        using (var first = new TcpClient())
        {
            await first.ConnectAsync(ep);
            Assert.True(await ClosedByServerAsync(first));
        }
        using var second = new TcpClient();
        await second.ConnectAsync(ep);
        var buf = new byte[2];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await second.GetStream().ReadExactlyAsync(buf, cts.Token);
        Assert.Equal("ok"u8.ToArray(), buf);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // the server did not die
        // The failed connection ended with a task line that names the failure, not only an Akka log line.
        Assert.True(await Eventually.True(() => _taskLog.ToString().Contains("reason=InternalServerError"), TimeSpan.FromSeconds(10)));
        Assert.Contains("bug in one connection", _taskLog.ToString());
    }

    [Fact]
    public async Task ForceQuit_EndsRunningConnections()
    {
        var cancelled = new TaskCompletionSource();
        var runtime = new ScriptedRuntime(async (socket, ct) =>
        {
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { cancelled.TrySetResult(); }
        });
        var (server, ep) = StartServer(runtime);
        using var client = new TcpClient();
        await client.ConnectAsync(ep);
        await ConnectionActorAsync(server, 1);

        server.Tell(NodeMessages.ForceQuit.Instance);

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(await ClosedByServerAsync(client));
    }

    [Fact]
    public async Task StopAccepting_ClosesListener_ReportsIdleWhenLastConnectionEnds()
    {
        var release = new TaskCompletionSource();
        var runtime = new ScriptedRuntime(async (socket, ct) =>
        {
            await release.Task.WaitAsync(ct);
            socket.Dispose();
        });
        var (server, ep) = StartServer(runtime);
        using var held = new TcpClient();
        await held.ConnectAsync(ep);
        await ConnectionActorAsync(server, 1);

        server.Tell(NodeMessages.StopAccepting.Instance, TestActor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // a connection is still running
        using (var late = new TcpClient())
            await Assert.ThrowsAnyAsync<SocketException>(() => late.ConnectAsync(ep));

        release.SetResult();
        ExpectMsg<NodeMessages.ServerIdle>(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ASocketAcceptedAsTheDrainBegins_IsServed_AndIdleWaitsForIt()
    {
        // An accept loop can take a socket from the kernel just before its listener closes and hand it
        // over after the server began draining; its client has sent a request and must get an answer
        // (hot upgrade: the curl loop saw one request fail with no reply).
        var release = new TaskCompletionSource();
        var runtime = new ScriptedRuntime(async (socket, ct) =>
        {
            await release.Task.WaitAsync(ct);
            socket.Send("ok"u8);
            socket.Dispose();
        });
        var (server, _) = StartServer(runtime);
        using var side = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        side.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        side.Listen(1);
        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)side.LocalEndPoint!);
        var taken = await side.AcceptAsync();

        server.Tell(NodeMessages.StopAccepting.Instance, TestActor);
        server.Tell(new ServerActor.Accepted(taken, System.Diagnostics.Stopwatch.GetTimestamp()));
        await ConnectionActorAsync(server, 1);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // not idle while that connection runs

        release.SetResult();
        var buf = new byte[2];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.GetStream().ReadExactlyAsync(buf, cts.Token);
        Assert.Equal("ok"u8.ToArray(), buf);
        ExpectMsg<NodeMessages.ServerIdle>(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task StoppingTheConnectionActor_CancelsItsTask()
    {
        var cancelled = new TaskCompletionSource();
        var runtime = new ScriptedRuntime(async (socket, ct) =>
        {
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { cancelled.TrySetResult(); }
            socket.Dispose();
        });
        var (server, ep) = StartServer(runtime);
        using var client = new TcpClient();
        await client.ConnectAsync(ep);
        var conn = await ConnectionActorAsync(server, 1);

        Sys.Stop(conn);

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
