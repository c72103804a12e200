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
        var req = await SocksNegotiation.RunAsync(transport, scope, Config, Context.UserGroup).ConfigureAwait(false);
        if (req is null) return;
        // g3: standard UDP ASSOCIATE when the server or the user (socks_use_udp_associate) asks for it.
        var associate = Config.UseUdpAssociate || req.User?.User.Config.SocksUseUdpAssociate == true;
        var taskType = req.Command != Socks5Command.UdpAssociate ? "TcpConnect"
            : associate ? "UdpAssociate" : "UdpConnect";
        var notes = scope.NewTask(req.Transport.Facts, taskType, scope.AcceptedAt);
        notes.Bytes.ClientRead = req.ClientBytesRead;
        notes.EgressPath = req.EgressPath;
        if (req.User is { User: var user })
        {
            notes.User = user.Name;
            notes.UserEgressPath = user.EgressPath;
            UserTaskPolicy.Watch(scope.Lifetime, user);
        }
        scope.Lifetime.Touch();
        Context.Stats.TaskStarted(notes);
        try
        {
            if (req.Command == Socks5Command.UdpAssociate)
                await SocksUdpRelay.RunAsync(this, req, scope, notes, associate).ConfigureAwait(false);
            else
                await SocksTcpConnect.RunAsync(this, req, scope, notes).ConfigureAwait(false);
        }
        finally
        {
            if (scope.Lifetime.EndedByCondition) notes.Reason = "CanceledAsUserBlocked";
            Context.Stats.TaskFinished(notes);
            scope.FinishTask(notes);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
