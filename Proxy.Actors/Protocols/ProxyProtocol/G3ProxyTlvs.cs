using System.Text;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Protocols.ProxyProtocol;

/// <summary>The custom PROXY v2 TLVs g3's divert_tcp escaper sends (PP2_TYPE_CUSTOM_*), and builders for them.</summary>
/// <remarks>
/// From g3 lib/g3-types/src/net/haproxy/v2.rs and sphinx/g3proxy/configuration/escapers/divert_tcp.rst:
/// 0xE0 upstream address the next proxy should connect to, "host:port" UTF-8 without NUL (always sent);
/// 0xE1 TLS verify name, UTF-8 (only when the TLS handshake is started on our side);
/// 0xE2 username of the client, UTF-8 (only when client auth is on);
/// 0xE3 task id, the 16-byte binary UUID (always sent);
/// 0xE4 protocol, 0xE5 match id (u16 big-endian), 0xE6 payload length (u32 big-endian) are defined by g3
/// but not written by divert_tcp.
/// </remarks>
internal static class G3ProxyTlvs
{
    public const byte Upstream = 0xE0;
    public const byte TlsName = 0xE1;
    public const byte Username = 0xE2;
    public const byte TaskId = 0xE3;
    public const byte Protocol = 0xE4;
    public const byte MatchId = 0xE5;
    public const byte PayloadLength = 0xE6;

    /// <summary>The TLVs divert_tcp writes, in g3's order: upstream, [tls name], [username], task id.</summary>
    public static IReadOnlyList<ProxyTlv> ForDivert(UpstreamAddr upstream, Guid taskId, string? tlsName = null, string? username = null)
    {
        var tlvs = new List<ProxyTlv>(4) { ForUpstream(upstream) };
        if (tlsName is not null) tlvs.Add(Text(TlsName, tlsName));
        if (username is not null) tlvs.Add(Text(Username, username));
        tlvs.Add(ForTaskId(taskId));
        return tlvs;
    }

    /// <summary>0xE0 as g3 prints an upstream: host:port, IPv6 literal in brackets.</summary>
    public static ProxyTlv ForUpstream(UpstreamAddr upstream) => Text(Upstream, upstream.ToString());

    /// <summary>0xE3: the UUID's 16 bytes in RFC 4122 (big-endian) order, as Rust's Uuid::as_bytes.</summary>
    public static ProxyTlv ForTaskId(Guid taskId) => new(TaskId, taskId.ToByteArray(bigEndian: true));

    public static ProxyTlv Text(byte type, string value) => new(type, Encoding.UTF8.GetBytes(value));

    /// <summary>Reads 0xE3 back; null when absent or not 16 bytes.</summary>
    public static Guid? ReadTaskId(ProxyHeader header) =>
        header.Find(TaskId) is { Value.Length: 16 } tlv ? new Guid(tlv.Value, bigEndian: true) : null;

    /// <summary>Reads a UTF-8 TLV (0xE0, 0xE1, 0xE2) back; null when absent.</summary>
    public static string? ReadText(ProxyHeader header, byte type) =>
        header.Find(type) is { } tlv ? Encoding.UTF8.GetString(tlv.Value) : null;
}
