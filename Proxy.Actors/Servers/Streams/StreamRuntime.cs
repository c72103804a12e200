using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers.Streams;

/// <summary>
/// g3's tcp_stream and tls_stream (whose TLS the factory puts in front): each connection goes to
/// one upstream picked by the pick policy, over TLS when <c>tls_client</c> is set.
/// </summary>
internal sealed class StreamRuntime(StreamServerConfig config) : IServerRuntime
{
    private readonly SelectiveVector<UpstreamAddr> _upstreams = new(config.Upstream, u => u.ToString());

    public Task HandleAsync(ClientTransport transport, ConnectionScope scope)
    {
        var notes = StreamTunnel.NewTask(transport, scope);
        var upstream = _upstreams.Pick(config.UpstreamPickPolicy, HashKey(transport.Facts));
        var login = FactsLogin.Pick(scope.Server, transport.Facts, upstream, notes);
        if (login.Refused)
        {
            notes.Upstream = upstream.ToString();
            scope.FinishTask(notes);
            return Task.CompletedTask;
        }
        return StreamTunnel.RunAsync(transport, scope, notes, new StreamTunnel.Target(upstream, config.TlsClient, config.UpstreamTlsName) { User = login.User });
    }

    /// <summary>g3's key for the hash policies: client IP then server IP.</summary>
    internal static string HashKey(ConnectionFacts facts) =>
        facts.ClientAddr?.Address.ToString() + facts.ServerAddr?.Address.ToString();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
