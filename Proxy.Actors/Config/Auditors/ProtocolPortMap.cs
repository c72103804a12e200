using System.Collections.Frozen;

namespace Proxy.Actors.Config.Auditors;

/// <summary>
/// g3's protocol portmap: per port, the protocols to try first and whether to look for TLS
/// (a "+tls"/"s" protocol sets CheckTls and maps to its plain protocol, as lib/g3-dpi does).
/// </summary>
public sealed record ProtocolPortMap(FrozenDictionary<int, PortHint> Ports)
{
    public static readonly ProtocolPortMap TcpServerDefault = Build(new Dictionary<int, string[]>
    {
        [21] = ["ftp"], [22] = ["ssh"], [25] = ["smtp"], [53] = ["dns"], [80] = ["http"], [110] = ["pop3"],
        [119] = ["nntp"], [143] = ["imap"], [322] = ["rtsps"], [366] = ["odmr"], [389] = ["ldap"],
        [433] = ["nnsp"], [443] = ["https"], [465] = ["submissions"], [554] = ["rtsp"], [563] = ["nntps"],
        [587] = ["smtp"], [636] = ["ldaps"], [853] = ["dot"], [993] = ["imaps"], [995] = ["pop3s"],
        [1883] = ["mqtt"], [1935] = ["rtmp"], [2775] = ["smpp"], [3550] = ["ssmpp"], [4222] = ["nats"],
        [6881] = ["bittorrent"], [8080] = ["http"], [8554] = ["rtsp"], [8883] = ["secure-mqtt"],
    });

    public static readonly ProtocolPortMap TcpClientDefault = Build(new Dictionary<int, string[]> { [6881] = ["bittorrent"] });

    public PortHint? Get(int port) => Ports.GetValueOrDefault(port);

    /// <summary>g3 adds configured ports to the defaults (same port: protocols appended), never replaces the map.</summary>
    public ProtocolPortMap With(IEnumerable<(int Port, IReadOnlyList<string> Protocols)> entries)
    {
        var map = Ports.ToDictionary(p => p.Key, p => p.Value);
        foreach (var (port, protocols) in entries)
            map[port] = protocols.Aggregate(map.GetValueOrDefault(port) ?? PortHint.Empty, (h, p) => h.Add(p));
        return new ProtocolPortMap(map.ToFrozenDictionary());
    }

    private static ProtocolPortMap Build(Dictionary<int, string[]> ports) =>
        new ProtocolPortMap(FrozenDictionary<int, PortHint>.Empty).With(ports.Select(p => (p.Key, (IReadOnlyList<string>)p.Value)));
}

/// <summary>One port's hint: the plain protocols in order, and whether a TLS layer is expected first.</summary>
public sealed record PortHint(bool CheckTls, IReadOnlyList<string> Protocols)
{
    public static readonly PortHint Empty = new(false, []);

    /// <summary>g3's MaybeProtocol names and aliases, each with its plain protocol and whether TLS wraps it.</summary>
    private static readonly FrozenDictionary<string, (string? Plain, bool Tls)> Known = new Dictionary<string, (string?, bool)>
    {
        ["http"] = ("http", false), ["smtp"] = ("smtp", false), ["odmr"] = ("odmr", false), ["ssh"] = ("ssh", false),
        ["ftp"] = ("ftp", false), ["dns"] = ("dns", false), ["ldap"] = ("ldap", false), ["pop3"] = ("pop3", false),
        ["nntp"] = ("nntp", false), ["nnsp"] = ("nnsp", false), ["imap"] = ("imap", false), ["rtsp"] = ("rtsp", false),
        ["mqtt"] = ("mqtt", false), ["stomp"] = ("stomp", false), ["smpp"] = ("smpp", false), ["rtmp"] = ("rtmp", false),
        ["nats"] = ("nats", false), ["bittorrent"] = ("bittorrent", false), ["bt"] = ("bittorrent", false),
        ["https"] = ("http", true), ["http+tls"] = ("http", true),
        ["submissions"] = ("smtp", true), ["smtps"] = ("smtp", true),
        ["pop3s"] = ("pop3", true), ["pop3+tls"] = ("pop3", true),
        ["nntps"] = ("nntp", true), ["nntp+tls"] = ("nntp", true), ["snntp"] = ("nntp", true),
        ["imaps"] = ("imap", true), ["imap+tls"] = ("imap", true),
        ["rtsps"] = ("rtsp", true), ["rtsp+tls"] = ("rtsp", true),
        ["secure-mqtt"] = ("mqtt", true),
        ["ssmpp"] = ("smpp", true), ["smpps"] = ("smpp", true), ["secure smpp"] = ("smpp", true),
        ["rtmps"] = ("rtmp", true), ["rtmp+tls"] = ("rtmp", true),
        ["dot"] = ("dns", true), ["dnsovertls"] = ("dns", true), ["dns-over-tls"] = ("dns", true),
        ["ldaps"] = ("ldap", true),
        ["ssl"] = (null, true), ["tls"] = (null, true),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static bool IsKnown(string protocol) => Known.ContainsKey(protocol);

    public PortHint Add(string protocol)
    {
        var (plain, tls) = Known[protocol];
        var protocols = plain is null || Protocols.Contains(plain) ? Protocols : [.. Protocols, plain];
        return new PortHint(CheckTls || tls, protocols);
    }
}
