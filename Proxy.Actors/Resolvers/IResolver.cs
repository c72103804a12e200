using System.Net;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Resolvers;

public enum ResolveErrorKind
{
    None,
    /// <summary>NXDOMAIN: the name does not exist.</summary>
    NotFound,
    Timeout,
    ServerFailure,
    Refused,
    Malformed,
    /// <summary>The resolver is deny_all (or a dangling name that acts as one).</summary>
    Denied,
    /// <summary>
    /// NOERROR with no record of the wanted family (NODATA). g3 counts it as an answer, not an
    /// error, which fail_over's retry_empty_record tells apart from NXDOMAIN.
    /// </summary>
    NoRecord,
}

/// <summary>The outcome of one lookup; errors are values, not exceptions.</summary>
public sealed record ResolveResult(IReadOnlyList<IPAddress> Addresses, ResolveErrorKind Error, string? Reason = null)
{
    public bool Ok => Error == ResolveErrorKind.None && Addresses.Count > 0;
    public static ResolveResult Fail(ResolveErrorKind kind, string reason) => new([], kind, reason);
}

/// <summary>
/// The handle a resolver actor publishes. Connection tasks call it directly (no actor
/// message per lookup); it must be thread-safe and cheap on a cache hit.
/// </summary>
public interface IResolver
{
    string Name { get; }

    /// <summary>A records (IPv4) or AAAA records (IPv6) of <paramref name="host"/>.</summary>
    ValueTask<ResolveResult> ResolveAsync(string host, System.Net.Sockets.AddressFamily family, CancellationToken ct);
}
