using System.Net.Sockets;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Stats;

/// <summary>
/// One resolver's query counters per rr_type (g3's resolver.query.*), registered per resolver
/// name so a reload keeps counting into the same object. Interlocked fields only.
/// </summary>
public sealed class ResolverStats
{
    public long StatId { get; } = Stats.StatId.New();
    public QueryCounters A { get; } = new();
    public QueryCounters Aaaa { get; } = new();

    public QueryCounters For(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? Aaaa : A;

    /// <summary>The counters of one record type; field names follow g3's metric names.</summary>
    public sealed class QueryCounters
    {
        private long _total, _cached, _driver, _driverTimeout;
        private long _serverRefused, _serverMalformed, _serverNotFound, _serverServFail;

        public long Total => Interlocked.Read(ref _total);
        public long Cached => Interlocked.Read(ref _cached);
        public long DriverTotal => Interlocked.Read(ref _driver);
        public long DriverTimeout => Interlocked.Read(ref _driverTimeout);
        public long ServerRefused => Interlocked.Read(ref _serverRefused);
        public long ServerMalformed => Interlocked.Read(ref _serverMalformed);
        public long ServerNotFound => Interlocked.Read(ref _serverNotFound);
        public long ServerServFail => Interlocked.Read(ref _serverServFail);

        public void Queried() => Interlocked.Increment(ref _total);
        public void CacheHit() => Interlocked.Increment(ref _cached);

        /// <summary>One query sent upstream and how it ended, sorted into g3's driver/server kinds.</summary>
        public void DriverAnswered(ResolveErrorKind error)
        {
            Interlocked.Increment(ref _driver);
            switch (error)
            {
                case ResolveErrorKind.Timeout: Interlocked.Increment(ref _driverTimeout); break;
                case ResolveErrorKind.Refused: Interlocked.Increment(ref _serverRefused); break;
                case ResolveErrorKind.Malformed: Interlocked.Increment(ref _serverMalformed); break;
                case ResolveErrorKind.NotFound: Interlocked.Increment(ref _serverNotFound); break;
                case ResolveErrorKind.ServerFailure: Interlocked.Increment(ref _serverServFail); break;
            }
        }
    }
}
