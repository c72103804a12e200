using System.Net;
using System.Text.Json;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Escapers.Float;

/// <summary>
/// One proxy_float peer as published (g3's peer JSON): http, https, socks5 or socks5s.
/// <see cref="Json"/> is the peer as it came, for read-back.
/// </summary>
internal sealed record FloatPeer(string Type, IPEndPoint Addr, string Json)
{
    public string? Id { get; init; }
    public DateTimeOffset? Expire { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }
    public int HttpConnectRspHeaderMaxSize { get; init; } = 4096;
    public IReadOnlyList<KeyValuePair<string, string>> ExtraAppendHeaders { get; init; } = [];
    public string? TlsName { get; init; }
    /// <summary>The peer's own tcp_sock_speed_limit for each connection to it; null: the escaper's.</summary>
    public TcpSockSpeedLimit? TcpSockSpeedLimit { get; init; }
    // socks5/socks5s peers only: as proxy_socks5's keys of the same names
    public UdpSockSpeedLimit UdpSockSpeedLimit { get; init; } = UdpSockSpeedLimit.Unlimited;
    public IReadOnlyDictionary<IPAddress, IPAddress>? TransmuteUdpPeerIp { get; init; }
    public bool EndOnControlClosed { get; init; }

    /// <summary>Usable now: no expiry, or the expiry is more than the guard away.</summary>
    public bool LiveAt(DateTimeOffset now, TimeSpan guard) => Expire is not { } e || e - guard > now;

    public static IReadOnlyList<FloatPeer> ParseList(JsonElement value) => FloatJson.OneOrMany(value, Parse);

    /// <summary>One peer map (a user's egress_path_value_map entry, a list item).</summary>
    public static FloatPeer Parse(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object) throw new FormatException($"a peer must be a map, not {v.ValueKind}");
        var peer = new FloatPeer("", new IPEndPoint(IPAddress.None, 0), v.GetRawText());
        var hasAddr = false;
        foreach (var p in v.EnumerateObject())
        {
            peer = p.Name switch
            {
                "type" => peer with { Type = FloatJson.Text(p).ToLowerInvariant() },
                "addr" => peer with { Addr = ParseAddr(p, out hasAddr) },
                "id" => peer with { Id = FloatJson.Text(p) },
                "isp" or "area" => Checked(peer, FloatJson.Text(p)),
                "eip" => Checked(peer, FloatJson.Ip(p.Value, "eip", null)),
                "expire" => peer with { Expire = FloatJson.Expire(p.Value) },
                "username" => peer with { Username = FloatJson.Text(p) },
                "password" => peer with { Password = FloatJson.Text(p) },
                "http_connect_rsp_header_max_size" => peer with { HttpConnectRspHeaderMaxSize = Size(p) },
                "extra_append_headers" => peer with { ExtraAppendHeaders = Headers(p) },
                "tls_name" => peer with { TlsName = FloatJson.Text(p) },
                "tcp_sock_speed_limit" => peer with { TcpSockSpeedLimit = FloatJson.AsYaml(p, TcpSockSpeedLimitParser.FromYaml) },
                "udp_sock_speed_limit" => peer with { UdpSockSpeedLimit = FloatJson.AsYaml(p, UdpSockSpeedLimitParser.FromYaml) },
                "transmute_udp_peer_ip" => peer with { TransmuteUdpPeerIp = FloatJson.AsYaml(p, IpMapParser.FromYaml) },
                "end_on_control_closed" => peer with { EndOnControlClosed = FloatJson.AsYaml(p, YamlValue.Bool) },
                _ => throw new FormatException($"unknown peer key '{p.Name}'"),
            };
        }
        if (!hasAddr) throw new FormatException("a peer needs 'addr'");
        if (peer.Type is "http" or "https" && v.EnumerateObject().Select(p => p.Name).FirstOrDefault(SocksOnlyKeys.Contains) is { } misplaced)
            throw new FormatException($"peer key '{misplaced}' is for socks5 peers, not {peer.Type}");
        return peer.Type switch
        {
            "http" or "https" or "socks5" or "socks5s" => peer,
            "" => throw new FormatException("a peer needs 'type'"),
            _ => throw new FormatException($"unknown peer type '{peer.Type}'"),
        };
    }

    private static readonly HashSet<string> SocksOnlyKeys = ["udp_sock_speed_limit", "transmute_udp_peer_ip", "end_on_control_closed"];

    private static FloatPeer Checked<T>(FloatPeer peer, T _) => peer;

    /// <summary>ip:port only: g3 allows no domain here.</summary>
    private static IPEndPoint ParseAddr(JsonProperty p, out bool found)
    {
        if (!IPEndPoint.TryParse(FloatJson.Text(p), out var ep) || ep.Port == 0)
            throw new FormatException($"'addr' must be an ip:port socket address, not {p.Value}");
        found = true;
        return ep;
    }

    private static int Size(JsonProperty p) => p.Value.ValueKind switch
    {
        JsonValueKind.Number when p.Value.TryGetInt32(out var n) && n > 0 => n,
        JsonValueKind.String when HumanSize.TryParse(p.Value.GetString()!, out var s) && s is > 0 and <= int.MaxValue => (int)s,
        _ => throw new FormatException($"'{p.Name}' must be a size, not {p.Value}"),
    };

    private static IReadOnlyList<KeyValuePair<string, string>> Headers(JsonProperty p)
    {
        if (p.Value.ValueKind != JsonValueKind.Object) throw new FormatException("'extra_append_headers' must be a map");
        return p.Value.EnumerateObject().Select(h => new KeyValuePair<string, string>(h.Name, FloatJson.Text(h))).ToList();
    }
}
