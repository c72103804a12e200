using Proxy.Actors.Logging;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Servers.HttpCommon;
using Proxy.Actors.Users;

using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>
/// Serves one client connection of an http_proxy server: reads request heads (keep-alive,
/// one after another), hands each to the forward or CONNECT handler, and ends the connection
/// on close, timeout, bad input or tunnel. Plain async code: no actor on this path.
/// </summary>
public static class HttpProxyConnection
{
    public static async Task RunAsync(HttpProxyServerContext ctx, ClientTransport transport, ConnectionScope scope)
    {
        var client = new ClientConnection(transport, scope);
        var activity = scope.Lifetime;
        var stats = ctx.Server.Stats;
        using var timer = client.Timer;
        var group = ctx.Server.UserGroup;
        var login = group is null ? null : new HttpLogin(LoginScheme.Proxy, ctx.Config.UsernameParams is { } up ? up.RealUsername : null);
        try
        {
            var first = true;
            while (!client.Token.IsCancellationRequested)
            {
                var waitStart = ctx.Time.GetTimestamp();
                var (status, head, error) = await RequestHeadReader.ReadAsync(ctx.Config, client, first).ConfigureAwait(false);
                if (status is HeadRead.Closed or HeadRead.IdleTimeout) return;
                var notes = client.NewRequestTask(head?.IsConnect != false ? "TcpConnect" : "HttpForward", first ? scope.AcceptedAt : waitStart, head, ctx.Config.LogUriMaxChars);
                if (status != HeadRead.Ok)
                {
                    await RequestHeadReader.RefuseAsync(ctx.Config, client, notes, status, error).ConfigureAwait(false);
                    return;
                }
                notes.Bytes.ClientRead += head!.WireLength;
                activity.Touch();
                stats.TaskStarted(notes);
                bool keepAlive;
                try
                {
                    if (login is not null)
                    {
                        var (user, loginKeepAlive) = await login.CheckAsync(ctx.Config, ctx.Time, group!, client, head, notes).ConfigureAwait(false);
                        client.User = user;
                        if (user is null)
                        {
                            if (!loginKeepAlive) return;
                            first = false;
                            continue;
                        }
                    }
                    if (!RequestEgressPath.TryApply(ctx, head, notes))
                    {
                        notes.Reason = "InvalidClientProtocol";
                        notes.Stage = "Preparing";
                        await HttpReply.RefuseAsync(client, notes, 400, head.Version, head.Method == "HEAD", close: true).ConfigureAwait(false);
                        return;
                    }
                    if (head.IsConnect)
                    {
                        var opened = await HttpConnectHandler.OpenAsync(ctx, client, head, notes).ConfigureAwait(false);
                        // The request is done with: a tunnel may idle for hours, so keep nothing of it.
                        head = null;
                        if (opened is var (tunnel, target))
                        {
                            try
                            {
                                notes.Reason = (await HttpConnectHandler.RelayAsync(ctx, client, tunnel, target, notes).ConfigureAwait(false)).ToString();
                                notes.Stage = "Finished";
                            }
                            finally
                            {
                                await tunnel.DisposeUpstreamAsync().ConfigureAwait(false);
                            }
                        }
                        keepAlive = false;
                    }
                    else
                    {
                        keepAlive = await HttpForwardHandler.RunAsync(ctx, client, head, notes).ConfigureAwait(false);
                    }
                }
                finally
                {
                    client.FinishRequest(notes, stats);
                }
                if (!keepAlive) return;
                first = false;
            }
        }
        finally
        {
            client.Close();
        }
    }
}
