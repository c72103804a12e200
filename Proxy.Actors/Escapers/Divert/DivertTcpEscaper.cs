using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Escapers.Proxy;
using Proxy.Actors.Handles;
using Proxy.Actors.Protocols.ProxyProtocol;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers.Divert;

/// <summary>
/// g3's <c>divert_tcp</c>: connects to a next proxy from proxy_addr and writes a PROXY v2 header
/// first, client as source and the address it reached us on as destination, with g3's TLVs: the
/// real target (0xE0), the TLS name when this node does the TLS (0xE1), the user (0xE2) and the
/// task id (0xE3). The stream after the header is the target's: TLS and HTTP forwarding are
/// finished over it as for a direct connection. No UDP, as in g3.
/// </summary>
public sealed class DivertTcpEscaper : IEscaper, IDisposable
{
    private readonly NextProxyDialer _dialer;
    private readonly SelectiveVector<UpstreamAddr> _proxies;
    private readonly TimeProvider _time;

    public DivertTcpEscaper(DivertTcpEscaperConfig config, HandleRegistry<IResolver> resolvers,
        ISocketConnector? connector = null, TimeProvider? time = null, Stats.EscaperStats? stats = null)
    {
        Config = config;
        _time = time ?? TimeProvider.System;
        _dialer = new NextProxyDialer(config.NextHop, resolvers, connector, _time, stats);
        _proxies = new SelectiveVector<UpstreamAddr>(config.NextHop.ProxyAddr, a => a.ToString());
    }

    public DivertTcpEscaperConfig Config { get; }
    public string Name => Config.Name;
    public string TypeName => Config.TypeName;

    public async ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct)
    {
        if (request.Want == EscapeWant.Udp)
            return EscapeResult.Fail(EscapeErrorKind.NotSupported, $"escaper '{Name}': divert_tcp has no UDP relay");
        var proxy = _proxies.Count == 1 ? _proxies.Items[0].Value : _proxies.Pick(Config.NextHop.ProxyAddrPickPolicy, SelectionKey.For(request));
        var connected = await _dialer.ConnectAsync(request, proxy, ct).ConfigureAwait(false);
        connected = await OutgoingProxyHeader.WriteAsync(connected, 2, request, proxy.ToString(), ct, Tlvs(request)).ConfigureAwait(false);
        // Each connection carries one task's user and id in its header, so none is pooled for another task.
        return await UpstreamCompletion.CompleteAsync(request, connected, pool: null, _time, ct).ConfigureAwait(false);
    }

    internal static IReadOnlyList<ProxyTlv> Tlvs(EscapeRequest request)
    {
        var tls = request.Want == EscapeWant.Tls || (request.Want == EscapeWant.HttpForward && request.Tls is not null);
        var taskId = Guid.TryParseExact(request.TaskId, "N", out var id) ? id : Guid.NewGuid();
        return G3ProxyTlvs.ForDivert(request.Target, taskId, tls ? request.EffectiveTlsName : null, request.UserName);
    }

    public void Dispose() => _dialer.Dispose();
}
