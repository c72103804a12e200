using System.Net;
using System.Net.Sockets;
using DnsClient;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Resolvers.Cache;
using Proxy.Actors.Resolvers.Wire;

namespace Proxy.Actors.Resolvers.CAres;

/// <summary>
/// The c-ares driver when <c>bind_ipv4</c>/<c>bind_ipv6</c> are set: DnsClient cannot choose the
/// source address of its queries, so these go out from sockets of our own
/// (<see cref="PlainDnsExchange"/>), bound to the configured address of the server's family.
/// each_timeout per try, each_tries per server, servers in turn (round_robin: starting at a
/// random one). Every outcome is a value; only cancellation throws.
/// </summary>
internal sealed class BoundDnsDriver
{
    private readonly IReadOnlyList<PlainDnsExchange> _servers;
    private readonly int _tries;
    private readonly bool _roundRobin;

    public BoundDnsDriver(CAresResolverConfig config, TimeProvider time)
    {
        var servers = config.Servers.Count > 0
            ? config.Servers
            : NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false)
                .Select(n => new IPEndPoint(IPAddress.Parse(n.Address), n.Port)).ToArray();
        var each = DnsClientDriver.EachTimeout(config);
        _servers = servers.Select(s => new PlainDnsExchange(s,
            new DnsSocketSetup(s.AddressFamily == AddressFamily.InterNetworkV6 ? config.BindIpv6 : config.BindIpv4), each, each, time)).ToArray();
        _tries = Math.Max(1, config.EachTries);
        _roundRobin = config.RoundRobin;
    }

    public async Task<DriverAnswer> QueryAsync(string host, AddressFamily family, CancellationToken ct)
    {
        var type = family == AddressFamily.InterNetworkV6 ? DnsWire.TypeAaaa : DnsWire.TypeA;
        var name = DnsReplyResult.TypeName(type);
        if (_servers.Count == 0) return DnsReplyResult.Fail(ResolveErrorKind.ServerFailure, "no name server configured");
        var start = _roundRobin ? Random.Shared.Next(_servers.Count) : 0;
        DriverAnswer? last = null;
        for (var s = 0; s < _servers.Count; s++)
        {
            var server = _servers[(start + s) % _servers.Count];
            for (var attempt = 0; attempt < _tries; attempt++)
            {
                var id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
                var query = DnsWire.Query(id, host, type);
                if (query is null) return DnsReplyResult.Fail(ResolveErrorKind.Malformed, $"{name} {host}: not a valid name");
                var result = await server.ExchangeAsync(query, id, type, ct).ConfigureAwait(false);
                if (result.Reply is not { } reply)
                {
                    last = DnsReplyResult.Fail(
                        result.Failure == DnsExchangeFailure.Timeout ? ResolveErrorKind.Timeout : ResolveErrorKind.ServerFailure,
                        $"{name} {host}: {result.Error}");
                    if (result.Failure == DnsExchangeFailure.Unreachable) break; // this server is unusable: the next one
                    continue;
                }
                // NOERROR and NXDOMAIN are answers; SERVFAIL, REFUSED, FORMERR...: as c-ares, try the next server.
                var answer = DnsReplyResult.ToAnswer(reply, host, type, server.Server);
                if (reply.ResponseCode is 0 or 3) return answer;
                last = answer;
                break;
            }
        }
        return last ?? DnsReplyResult.Fail(ResolveErrorKind.Timeout, $"{name} {host}: no answer from any server");
    }
}
