using System.Net;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Escapers;

/// <summary>route_geoip's geo_rules and ip_locate_service (g3proxy/src/config/escaper/route_geoip.rs, lib/g3-ip-locate config).</summary>
internal static class GeoRuleParser
{
    private static readonly HashSet<string> ContinentCodes = ["AF", "AN", "AS", "EU", "NA", "OC", "SA"];

    /// <summary>A list of <c>{next|escaper, networks, as_numbers, countries, continents}</c> (each with g3's aliases).</summary>
    public static RouteGeoIpEscaperConfig Rules(RouteGeoIpEscaperConfig c, YamlNode node)
    {
        var (nets, asns, countries, continents) = (new List<RouteRule<IPNetwork>>(), new List<RouteRule<uint>>(), new List<RouteRule<string>>(), new List<RouteRule<string>>());
        foreach (var item in YamlValue.List(node))
        {
            var map = YamlValue.Map(item, "a map with 'next' and the values");
            string? next = null;
            var (n, a, co, ct) = (new List<IPNetwork>(), new List<uint>(), new List<string>(), new List<string>());
            foreach (var (key, k, v) in YamlValue.Entries(map))
            {
                switch (key)
                {
                    case "next" or "escaper": next = YamlValue.String(v, "an escaper name"); break;
                    case "net" or "network" or "networks": n.AddRange(YamlValue.List(v).Select(RouteRuleParser.Network)); break;
                    case "asn" or "as_number" or "as_numbers": a.AddRange(YamlValue.List(v).Select(x => (uint)YamlValue.Integer(x, 0, uint.MaxValue, "an AS number"))); break;
                    case "country" or "countries": co.AddRange(YamlValue.List(v).Select(Country)); break;
                    case "continent" or "continents": ct.AddRange(YamlValue.List(v).Select(Continent)); break;
                    default: throw YamlValue.UnknownKey(key, k);
                }
            }
            if (next is null) throw new ConfigValueException("missing 'next'", item);
            nets.AddRange(n.Select(x => new RouteRule<IPNetwork>(next, x)));
            asns.AddRange(a.Select(x => new RouteRule<uint>(next, x)));
            countries.AddRange(co.Select(x => new RouteRule<string>(next, x)));
            continents.AddRange(ct.Select(x => new RouteRule<string>(next, x)));
        }
        Unique(nets, node);
        Unique(asns, node);
        Unique(countries, node);
        Unique(continents, node);
        return c with { Networks = nets, AsNumbers = asns, Countries = countries, Continents = continents };
    }

    /// <summary>A map of the service keys, or a string: the peer address alone.</summary>
    public static IpLocateServiceConfig Service(YamlNode node)
    {
        if (node is not YamlMappingNode map) return new IpLocateServiceConfig { QueryPeerAddr = SockAddrParser.FromYaml(node, 2888) };
        var c = new IpLocateServiceConfig();
        foreach (var (key, k, v) in YamlValue.Entries(map))
        {
            c = key switch
            {
                "query_peer_addr" => c with { QueryPeerAddr = SockAddrParser.FromYaml(v, 2888) },
                "query_socket_buffer" => c with { QuerySocketBuffer = SocketBufferConfig.FromYaml(v) },
                "query_wait_timeout" => c with { QueryWaitTimeout = HumanDuration.FromYaml(v) },
                "default_expire_ttl" => c with { DefaultExpireTtl = (uint)YamlValue.Integer(v, 0, uint.MaxValue, "a u32") },
                "maximum_expire_ttl" => c with { MaximumExpireTtl = (uint)YamlValue.Integer(v, 0, uint.MaxValue, "a u32") },
                "cache_request_batch_count" => c with { CacheRequestBatchCount = YamlValue.Int32(v, 1) },
                "cache_request_timeout" => c with { CacheRequestTimeout = HumanDuration.FromYaml(v) },
                _ => throw YamlValue.UnknownKey(key, k),
            };
        }
        return c;
    }

    /// <summary>ISO 3166 alpha-2 or alpha-3 (as g3), held as alpha-2: the form the locate answers are compared in.</summary>
    internal static string Country(YamlNode node)
    {
        var text = YamlValue.String(node, "an ISO country code");
        return IsoCountryCode.ToAlpha2(text) ?? throw new ConfigValueException($"invalid ISO country code '{text}' (ISO 3166-1 alpha-2 or alpha-3)", node);
    }

    internal static string Continent(YamlNode node)
    {
        var text = YamlValue.String(node, "a continent code").ToUpperInvariant();
        return ContinentCodes.Contains(text) ? text : throw new ConfigValueException($"invalid continent code '{text}' (AF, AN, AS, EU, NA, OC, SA)", node);
    }

    private static void Unique<T>(List<RouteRule<T>> rules, YamlNode at)
    {
        var owner = new Dictionary<string, string>();
        foreach (var r in rules)
        {
            var id = r.Value!.ToString()!;
            if (owner.TryGetValue(id, out var other) && other != r.Next)
                throw new ConfigValueException($"'{id}' is set for both '{other}' and '{r.Next}'", at);
            owner[id] = r.Next;
        }
    }
}
