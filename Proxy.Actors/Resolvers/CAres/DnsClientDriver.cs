using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Resolvers.Cache;

namespace Proxy.Actors.Resolvers.CAres;

/// <summary>
/// The upstream side of g3's <c>c-ares</c> resolver, done with DnsClient's LookupClient:
/// UDP, TCP when an answer comes back truncated, each_timeout per try, each_tries per server.
/// Every outcome is a value (<see cref="DriverAnswer"/>); only cancellation throws.
/// </summary>
/// <remarks>
/// DnsClient 1.8 opens its own sockets and cannot bind them, so a resolver with bind_ipv4 /
/// bind_ipv6 uses <see cref="BoundDnsDriver"/> instead. udp_max_quires and the socket buffer
/// sizes have no DnsClient equivalent (the config loader warns they have no effect).
/// DnsClient times each try on its own clock; the bound on the whole query
/// (protective_query_timeout, in <see cref="ResolverCache"/>) runs on the node's TimeProvider.
/// </remarks>
internal sealed class DnsClientDriver
{
    private readonly LookupClient? _client;
    private readonly string? _setupError;

    public DnsClientDriver(CAresResolverConfig config)
    {
        try
        {
            // No servers configured: DnsClient reads the system's (resolv.conf on Linux), as c-ares does.
            var options = config.Servers.Count > 0
                ? new LookupClientOptions(config.Servers.ToArray())
                : new LookupClientOptions();
            options.UseCache = false;                 // our cache applies g3's TTL rule instead
            options.Timeout = EachTimeout(config);
            options.Retries = Math.Max(0, config.EachTries - 1); // c-ares counts tries, DnsClient retries
            options.UseTcpFallback = true;
            options.UseRandomNameServer = config.RoundRobin;      // ARES_OPT_ROTATE
            options.ThrowDnsErrors = false;           // rcodes come back as values
            options.ContinueOnDnsError = true;        // SERVFAIL/REFUSED: try the next server, like c-ares
            options.ContinueOnEmptyResponse = false;  // NODATA is an answer, not a server fault
            options.Recursion = true;
            _client = new LookupClient(options);
        }
        catch (Exception ex)
        {
            // e.g. no usable name server in resolv.conf: every query fails until a reload.
            _setupError = ex.Message;
        }
    }

    /// <summary>
    /// c-ares grows the timeout on later tries and max_timeout caps it; DnsClient uses one
    /// fixed timeout per try, so the cap only matters when it is below each_timeout.
    /// </summary>
    internal static TimeSpan EachTimeout(CAresResolverConfig config)
    {
        var each = config.EachTimeout > TimeSpan.Zero ? config.EachTimeout : TimeSpan.FromMilliseconds(2000);
        return config.MaxTimeout is { } max && max > TimeSpan.Zero && max < each ? max : each;
    }

    public async Task<DriverAnswer> QueryAsync(string host, AddressFamily family, CancellationToken ct)
    {
        if (_client is null)
            return Fail(ResolveErrorKind.ServerFailure, $"resolver not usable: {_setupError}");
        var type = family == AddressFamily.InterNetworkV6 ? QueryType.AAAA : QueryType.A;
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(host, type, QueryClass.IN, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ct.IsCancellationRequested)
        {
            // DnsClient may report our cancellation as its own timeout; the cache must see a
            // cancellation so it can tell protective_query_timeout apart.
            throw ex as OperationCanceledException ?? new OperationCanceledException(ct);
        }
        catch (DnsResponseException ex)
        {
            return ex.Code == DnsResponseCode.ConnectionTimeout
                ? Fail(ResolveErrorKind.Timeout, $"{type} {host}: no answer from any server")
                : Fail(Classify(ex.Code), $"{type} {host}: {ex.DnsError}");
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return Fail(ResolveErrorKind.Timeout, $"{type} {host}: no answer from any server");
        }
        catch (Exception ex) when (ex is SocketException or IOException or DnsXidMismatchException)
        {
            return Fail(ResolveErrorKind.ServerFailure, $"{type} {host}: {ex.Message}");
        }
        return FromResponse(host, type, response);
    }

    private static DriverAnswer FromResponse(string host, QueryType type, IDnsQueryResponse response)
    {
        var code = (DnsResponseCode)response.Header.ResponseCode;
        if (code != DnsResponseCode.NoError)
            return Fail(Classify(code), code == DnsResponseCode.NotExistentDomain
                ? $"{type} {host}: NXDOMAIN"
                : $"{type} {host}: {DnsResponseCodeName(code)}");

        var addresses = new List<IPAddress>();
        uint ttl = uint.MaxValue;
        foreach (var record in response.Answers)
        {
            IPAddress? ip = record switch
            {
                ARecord a when type == QueryType.A => a.Address,
                AaaaRecord aaaa when type == QueryType.AAAA => aaaa.Address,
                _ => null,
            };
            if (ip is null) continue;
            addresses.Add(ip);
            // The set lives as long as its shortest-lived member.
            ttl = Math.Min(ttl, (uint)Math.Max(0, record.InitialTimeToLive));
        }
        return addresses.Count == 0
            ? Fail(ResolveErrorKind.NoRecord, $"{type} {host}: no {type} record")
            : new DriverAnswer(new ResolveResult(addresses, ResolveErrorKind.None), ttl);
    }

    private static ResolveErrorKind Classify(DnsResponseCode code) => code switch
    {
        DnsResponseCode.NotExistentDomain => ResolveErrorKind.NotFound,
        DnsResponseCode.Refused => ResolveErrorKind.Refused,
        DnsResponseCode.FormatError => ResolveErrorKind.Malformed,
        DnsResponseCode.ConnectionTimeout => ResolveErrorKind.Timeout,
        _ => ResolveErrorKind.ServerFailure,
    };

    private static string DnsResponseCodeName(DnsResponseCode code) => code switch
    {
        DnsResponseCode.ServerFailure => "SERVFAIL",
        DnsResponseCode.Refused => "REFUSED",
        DnsResponseCode.FormatError => "FORMERR",
        DnsResponseCode.NotImplemented => "NOTIMP",
        _ => code.ToString(),
    };

    private static DriverAnswer Fail(ResolveErrorKind kind, string reason) => new(ResolveResult.Fail(kind, reason), 0);
}
