using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Audit.Icap;

public enum IcapAction
{
    /// <summary>The ICAP server wants no change (204, or 200 echoing without payload): send the original message on.</summary>
    Original,
    /// <summary>REQMOD: a changed request goes upstream. RESPMOD: a changed response goes to the client.</summary>
    Modified,
    /// <summary>REQMOD only: the ICAP server answered with an HTTP response (a block page, a 403): it goes to the client, nothing upstream.</summary>
    Respond,
    /// <summary>The service could not be reached and its <c>bypass</c> is on: the original passes unadapted.</summary>
    Bypassed,
    /// <summary>The exchange failed (no answer in time, an error status, a broken message): the task ends with <see cref="IcapResult.Error"/>.</summary>
    Failed,
}

/// <summary>
/// What one REQMOD or RESPMOD exchange decided. <see cref="Body"/> is the content to send on
/// (decoded, unframed): the original body re-assembled (preview bytes first) for Original and
/// Bypassed, the ICAP server's body for Modified and Respond, null when there is none. Dispose it
/// once the body has been read: a cleanly finished ICAP connection then goes back to the pool.
/// </summary>
public sealed class IcapResult : IAsyncDisposable
{
    private readonly Func<ValueTask>? _release;

    internal IcapResult(IcapAction action, Func<ValueTask>? release = null)
    {
        Action = action;
        _release = release;
    }

    public IcapAction Action { get; }
    /// <summary>Modified REQMOD: the request for the upstream.</summary>
    public HttpRequestHead? Request { get; init; }
    /// <summary>Respond (REQMOD) or Modified (RESPMOD): the response for the client.</summary>
    public HttpResponseHead? Response { get; init; }
    public Stream? Body { get; init; }
    /// <summary>True when <see cref="Body"/> came from the ICAP server (its length may differ from the original's).</summary>
    public bool BodyFromIcap { get; init; }
    /// <summary>
    /// False when the client's body was not read to its end (the ICAP server answered a preview
    /// with its own message): the client connection cannot carry another request.
    /// </summary>
    public bool ClientBodyConsumed { get; init; } = true;
    public string? Error { get; init; }
    /// <summary>REQMOD answer headers named by respond_shared_names, for the RESPMOD request of the same exchange.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> SharedHeaders { get; init; } = [];

    public ValueTask DisposeAsync() => _release?.Invoke() ?? ValueTask.CompletedTask;
}
