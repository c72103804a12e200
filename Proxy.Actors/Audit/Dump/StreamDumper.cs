using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Dump;

/// <summary>
/// g3's tls_stream_dump: one UDP socket connected to the udpdump peer per auditor, fed by the dump
/// streams of every intercepted connection through a bounded queue (a slow or absent peer costs
/// dropped packets, counted, never a blocked relay), sent by one loop.
/// </summary>
public sealed class StreamDumper : IAsyncDisposable
{
    /// <summary>Packets waiting to be sent; beyond it new ones are dropped.</summary>
    public const int QueueBound = 4096;

    private readonly Socket _socket;
    private readonly Channel<byte[]> _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueBound)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    private readonly Task _sender;
    private long _dropped;

    public StreamDumper(StreamDumpConfig config)
    {
        Config = config;
        _socket = new Socket(config.Peer.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (config.SocketBuffer.Receive is { } r) _socket.ReceiveBufferSize = r;
        if (config.SocketBuffer.Send is { } s) _socket.SendBufferSize = s;
        Sockets.SocketOptions.ApplyUdp(_socket, config.MiscOpts);
        _socket.Connect(config.Peer);
        _sender = SendLoopAsync();
    }

    public StreamDumpConfig Config { get; }

    /// <summary>g3 sends packets of at least 1200 bytes (header included) whatever packet_size says.</summary>
    public int PacketSize => Math.Max(1200, Config.PacketSize);

    public long Dropped => Interlocked.Read(ref _dropped);

    internal void Enqueue(byte[] packet)
    {
        if (!_queue.Writer.TryWrite(packet)) Interlocked.Increment(ref _dropped);
    }

    /// <summary>
    /// The decrypted streams of one intercepted connection with the dumped side wrapped: the remote side
    /// unless <c>client_side</c>, as g3 does. Addresses missing on a transport (in-memory) are 0.0.0.0:0.
    /// </summary>
    internal (RelayEndpoint Client, RelayEndpoint Remote) Wrap(TunnelAudit audit, RelayEndpoint client, RelayEndpoint remote, DissectorHint hint)
    {
        var flow = Flow(audit, remote, hint);
        return Config.ClientSide
            ? (client with { Stream = ClientSide(client.Stream, flow) }, remote)
            : (client, remote with { Stream = RemoteSide(remote.Stream, flow) });
    }

    /// <summary>
    /// The same for an intercepted h2 connection, whose upstream plaintext only SocketsHttpHandler's stream
    /// filter sees: the client side wrapped here, or the flow the upstream side is to be wrapped with (<see cref="RemoteSide"/>).
    /// </summary>
    internal (RelayEndpoint Client, DumpFlow? RemoteFlow) WrapH2(TunnelAudit audit, RelayEndpoint client, RelayEndpoint remote, DissectorHint hint)
    {
        var flow = Flow(audit, remote, hint);
        return Config.ClientSide ? (client with { Stream = ClientSide(client.Stream, flow) }, null) : (client, flow);
    }

    /// <summary>The decrypted upstream stream, dumped: what it reads goes to the client, what it writes to the remote.</summary>
    internal static Stream RemoteSide(Stream decrypted, DumpFlow flow) => new DumpStream(decrypted, onRead: flow.ToClient, onWrite: flow.ToRemote);

    private static Stream ClientSide(Stream decrypted, DumpFlow flow) => new DumpStream(decrypted, onRead: flow.ToRemote, onWrite: flow.ToClient);

    private DumpFlow Flow(TunnelAudit audit, RelayEndpoint remote, DissectorHint hint)
    {
        var none = new IPEndPoint(IPAddress.Any, 0);
        var notes = audit.Notes;
        return new DumpFlow(this,
            client: notes.ClientAddr ?? none, localServer: notes.ServerAddr ?? none,
            localClient: notes.NextBoundAddr ?? (remote.Socket?.LocalEndPoint as IPEndPoint) ?? none,
            remoteAddr: notes.NextPeerAddr ?? (remote.Socket?.RemoteEndPoint as IPEndPoint) ?? none, hint);
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var packet in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    await _socket.SendAsync(packet, SocketFlags.None).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    // nobody listening (ICMP port unreachable) or a full buffer: the packet is lost, as with g3
                    Interlocked.Increment(ref _dropped);
                }
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _sender.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
    }
}
