using Proxy.Actors.Config.Values;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers.Streams;

/// <summary>
/// g3's tcp_tproxy: a TPROXY rule steered the connection to a transparent listener, so the
/// accepted socket's local address is where the client meant to go; the connection goes there.
/// </summary>
internal sealed class TransparentRuntime : IServerRuntime
{
    public Task HandleAsync(ClientTransport transport, ConnectionScope scope)
    {
        var notes = StreamTunnel.NewTask(transport, scope);
        var destination = transport.Facts.OriginalDestination ?? transport.Facts.LocalAddr;
        if (destination is null)
        {
            notes.Reason = "InternalServerError";
            notes.Error = "no original destination on this connection";
            scope.FinishTask(notes);
            return Task.CompletedTask;
        }
        var ip = destination.Address.IsIPv4MappedToIPv6 ? destination.Address.MapToIPv4() : destination.Address;
        var target = new UpstreamAddr(ip.ToString(), destination.Port);
        var login = FactsLogin.Pick(scope.Server, transport.Facts, target, notes);
        if (login.Refused)
        {
            notes.Upstream = target.ToString();
            scope.FinishTask(notes);
            return Task.CompletedTask;
        }
        return StreamTunnel.RunAsync(transport, scope, notes, new StreamTunnel.Target(target) { User = login.User });
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
