using System.Net.Sockets;

namespace Proxy.Actors.Resolvers.Cache;

/// <summary>One upstream answer: the result and the record TTL (seconds) the cache rule reads.</summary>
internal readonly record struct DriverAnswer(ResolveResult Result, uint Ttl);

/// <summary>Asks upstream once; the cache decides when. Must not throw for DNS failures.</summary>
internal delegate Task<DriverAnswer> ResolveDriverQuery(string host, AddressFamily family, CancellationToken ct);

/// <summary>Told about each upstream query that failed (g3's resolve log).</summary>
internal delegate void ResolveFailureLog(string host, AddressFamily family, TimeSpan spent, ResolveErrorKind error);
