using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Http;
using Proxy.Actors.Tls;

namespace Proxy.Actors.Escapers;

/// <summary>
/// Turns a stream an escaper has opened to the target (directly, or through a next-hop tunnel)
/// into what the request wants: TLS on top for <see cref="EscapeWant.Tls"/>, an
/// <see cref="HttpUpstream"/> lease for <see cref="EscapeWant.HttpForward"/>. Every escaper
/// finishes its connections here, so the TLS client setup and the pooling exist once.
/// </summary>
internal static class UpstreamCompletion
{
    /// <summary>The pool key of a direct HTTP forward upstream (a user's own resolution or TLS settings keep theirs apart).</summary>
    public static string DirectKey(EscapeRequest request)
    {
        var key = (request.Tls is null ? "http://" : "https://") + request.Target.Host + ":" + request.Target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return request.UserEscape is { } user ? key + "#user=" + user.PoolTag : key;
    }

    /// <summary>A pooled lease for an HTTP forward request, or null (connect a fresh one).</summary>
    public static EscapeResult? TakePooled(EscapeRequest request, HttpUpstreamPool pool) => TakePooled(request, pool, pool.DirectKey(request));

    /// <summary>A pooled lease under <paramref name="key"/> (a next-hop proxy's own key), or null.</summary>
    public static EscapeResult? TakePooled(EscapeRequest request, HttpUpstreamPool pool, string key)
    {
        if (request.Http is not { KeepAlive: true, FreshOnly: false } http) return null;
        var conn = pool.TryTake(key, http.ProbeIdle);
        if (conn is null) return null;
        conn.Uses++;
        conn.IdleExpire = http.IdleExpire;
        return conn.Lease;
    }

    /// <param name="poolKey">The lease's pool key when it is not <see cref="DirectKey"/> (a connection bound by path selection).</param>
    public static async ValueTask<EscapeResult> CompleteAsync(
        EscapeRequest request, EscapeResult connected, HttpUpstreamPool? pool, TimeProvider time, CancellationToken ct,
        string? poolKey = null)
    {
        if (!connected.Ok || request.Want == EscapeWant.Tcp) return connected;
        var stream = connected.Stream!;
        if (request.Want == EscapeWant.Tls || (request.Want == EscapeWant.HttpForward && request.Tls is not null))
        {
            var tls = request.Tls ?? TlsClientConfig.Default;
            var (ssl, error) = await TlsClientHandshake.ConnectAsync(stream, request.EffectiveTlsName, tls, time, ct).ConfigureAwait(false);
            if (ssl is null)
            {
                connected.Socket?.Dispose();
                return connected.FailedWith(EscapeErrorKind.TlsHandshakeFailed, error ?? "tls handshake failed");
            }
            stream = ssl;
        }
        if (request.Want != EscapeWant.HttpForward) return connected with { Stream = stream };

        var facts = connected with { Stream = null, Socket = null, Http = null };
        var lease = new HttpUpstream(poolKey ?? DirectKey(request), connected.Socket, stream, facts, pool)
        {
            IdleExpire = request.Http?.IdleExpire ?? TimeSpan.Zero,
            Uses = 1,
        };
        return facts with { Http = lease };
    }
}
