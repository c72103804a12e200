using Proxy.Actors.Config.Servers;
using Proxy.Actors.Protocols.Socks;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers.Socks;

/// <summary>
/// g3's socks_proxy: SOCKS4/4a and SOCKS5 CONNECT, SOCKS5 UDP ("UDP connect" by default, UDP
/// ASSOCIATE with use_udp_associate). One task per connection, logged as TcpConnect, UdpConnect or
/// UdpAssociate.
/// </summary>
internal sealed class SocksProxyRuntime(SocksProxyServerConfig config, ServerContext context) : IServerRuntime
{
    public SocksProxyServerConfig Config { get; } = config;
    public ServerContext Context { get; } = context;
    public SocksUdpCounters UdpCounters { get; } = new();

    public async Task HandleAsync(ClientTransport transport, ConnectionScope scope)
    {
        var req = await SocksNegotiation.RunAsync(transport, scope, Config).ConfigureAwait(false);
        if (req is null) return;
        var taskType = req.Command != Socks5Command.UdpAssociate ? "TcpConnect"
            : Config.UseUdpAssociate ? "UdpAssociate" : "UdpConnect";
        var notes = scope.NewTask(req.Transport.Facts, taskType, scope.AcceptedAt);
        notes.Bytes.ClientRead = req.ClientBytesRead;
        scope.Lifetime.Touch();
        Context.Stats.TaskStarted();
        try
        {
            if (req.Command == Socks5Command.UdpAssociate)
                await SocksUdpRelay.RunAsync(this, req, scope, notes, Config.UseUdpAssociate).ConfigureAwait(false);
            else
                await SocksTcpConnect.RunAsync(this, req, scope, notes).ConfigureAwait(false);
        }
        finally
        {
            Context.Stats.TaskFinished();
            scope.FinishTask(notes);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
