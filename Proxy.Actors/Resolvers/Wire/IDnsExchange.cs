namespace Proxy.Actors.Resolvers.Wire;

/// <summary>Why an exchange gave no reply: the server did not answer in time, or could not be reached/talked to.</summary>
internal enum DnsExchangeFailure
{
    None,
    Timeout,
    Unreachable,
}

/// <summary>One query's outcome on one transport: a parsed reply, or why there is none. Never an exception.</summary>
internal readonly record struct DnsExchangeResult(DnsReply? Reply, DnsExchangeFailure Failure, string? Error)
{
    public static DnsExchangeResult Of(DnsReply reply) => new(reply, DnsExchangeFailure.None, null);
    public static DnsExchangeResult TimedOut(string error) => new(null, DnsExchangeFailure.Timeout, error);
    public static DnsExchangeResult Unreachable(string error) => new(null, DnsExchangeFailure.Unreachable, error);
}

/// <summary>
/// Sends one encoded query to one server and returns its reply (matched by id). Implementations:
/// plain UDP with TCP on truncation, DNS over TLS, DNS over HTTPS. Only cancellation throws.
/// </summary>
internal interface IDnsExchange
{
    /// <summary>Where the queries go, for messages.</summary>
    string Server { get; }

    Task<DnsExchangeResult> ExchangeAsync(byte[] query, ushort id, ushort type, CancellationToken ct);
}
