using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Servers.HttpCommon;

namespace Proxy.Actors.Servers.HttpRProxy;

/// <summary>
/// Serves one client connection of an http_rproxy server: reads request heads (keep-alive, one
/// after another), checks <c>Authorization</c> when the server has a user_group (401 with the
/// realm), and hands each request to its site. Plain async code: no actor on this path.
/// </summary>
internal static class HttpRProxyConnection
{
    public static async Task RunAsync(HttpRProxyServerContext ctx, ClientTransport transport, ConnectionScope scope)
    {
        var cfg = ctx.Config;
        // No zero-byte read before each request: one receive call per request less (see ClientConnection).
        var client = new ClientConnection(transport, scope, peekBeforeRead: false);
        var stats = ctx.Server.Stats;
        using var timer = client.Timer;
        var group = ctx.Server.UserGroup;
        var login = group is null ? null : new HttpLogin(LoginScheme.Origin);
        try
        {
            var first = true;
            while (!client.Token.IsCancellationRequested)
            {
                var waitStart = ctx.Time.GetTimestamp();
                var (status, head, error) = await RequestHeadReader.ReadAsync(cfg, client, first).ConfigureAwait(false);
                if (status is HeadRead.Closed or HeadRead.IdleTimeout) return;
                var notes = client.NewRequestTask("HttpForward", first ? scope.AcceptedAt : waitStart, head, cfg.LogUriMaxChars);
                if (status != HeadRead.Ok)
                {
                    await RequestHeadReader.RefuseAsync(cfg, client, notes, status, error).ConfigureAwait(false);
                    return;
                }
                notes.Bytes.ClientRead += head!.WireLength;
                client.Activity.Touch();
                stats.TaskStarted(notes);
                bool keepAlive;
                try
                {
                    if (login is not null)
                    {
                        var (user, loginKeepAlive) = await login.CheckAsync(cfg, ctx.Time, group!, client, head, notes).ConfigureAwait(false);
                        client.User = user;
                        keepAlive = user is not null
                            ? await HttpRProxyHandler.RunAsync(ctx, client, head, notes).ConfigureAwait(false)
                            : loginKeepAlive;
                    }
                    else
                    {
                        keepAlive = await HttpRProxyHandler.RunAsync(ctx, client, head, notes).ConfigureAwait(false);
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
