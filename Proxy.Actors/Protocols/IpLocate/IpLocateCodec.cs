using System.Buffers;
using System.Net;
using MessagePack;
using Proxy.Actors.Protocols.MsgPack;

namespace Proxy.Actors.Protocols.IpLocate;

/// <summary>Where an address is: its registered network and what the locate service knows of it (country as ISO alpha-2, continent upper-case).</summary>
public sealed record IpLocation(IPNetwork Network, string? Country = null, string? Continent = null, uint? AsNumber = null,
    string? IspName = null, string? IspDomain = null);

/// <summary>A locate answer: the address asked for (null: a push), the location, the TTL when given.</summary>
public sealed record IpLocateAnswer(IPAddress? Ip, IpLocation Location, uint? Ttl);

/// <summary>
/// g3's ip locate protocol (sphinx/g3proxy/protocol/helper/ip_locate.rst): msgpack, one message per
/// datagram. The request is the address as a string (what g3 sends; a map <c>{ip}</c> is the documented
/// form). The response is a map with string keys or key ids: ip 1, ttl 2, network 3 (required),
/// country 4, continent 5, as_number 6, isp_name 7, isp_domain 8; unknown keys are ignored, as in g3.
/// Decoding never throws.
/// </summary>
public static class IpLocateCodec
{
    private static readonly string[] KeyNames = ["", "ip", "ttl", "network", "country", "continent", "as_number", "isp_name", "isp_domain"];

    public static byte[] EncodeRequest(IPAddress ip)
    {
        var buffer = new ArrayBufferWriter<byte>(48);
        var w = new MessagePackWriter(buffer);
        w.Write(ip.ToString());
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static IpLocateAnswer? DecodeResponse(ReadOnlyMemory<byte> datagram, out string error)
    {
        error = "";
        try
        {
            var r = new MessagePackReader(datagram);
            if (r.NextMessagePackType != MessagePackType.Map) throw new InvalidDataException("the response data type should be 'map'");
            IPAddress? ip = null;
            IPNetwork? network = null;
            uint? ttl = null, asn = null;
            string? country = null, continent = null, ispName = null, ispDomain = null;
            var count = r.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                switch (MsgPackText.ReadKeyId(ref r, KeyNames))
                {
                    case 1: ip = IPAddress.Parse(MsgPackText.Read(ref r)); break;
                    case 2: ttl = r.ReadUInt32(); break;
                    case 3: network = IPNetwork.Parse(MsgPackText.Read(ref r)); break;
                    case 4: country = Country(MsgPackText.Read(ref r)); break;
                    case 5: continent = MsgPackText.Read(ref r).ToUpperInvariant(); break;
                    case 6: asn = r.ReadUInt32(); break;
                    case 7: ispName = MsgPackText.Read(ref r); break;
                    case 8: ispDomain = MsgPackText.Read(ref r); break;
                    default: r.Skip(); break;
                }
            }
            if (network is not { } net) throw new InvalidDataException("no network set");
            return new IpLocateAnswer(ip, new IpLocation(net, country, continent, asn, ispName, ispDomain), ttl);
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidDataException or EndOfStreamException
                                      or FormatException or OverflowException)
        {
            error = "invalid response: " + e.Message;
            return null;
        }
    }

    /// <summary>Alpha-2 or alpha-3 as g3 reads it, held as alpha-2 (the rules' form); a code ISO lacks fails the answer, as in g3.</summary>
    private static string Country(string code) =>
        Config.Values.IsoCountryCode.ToAlpha2(code) ?? throw new InvalidDataException($"invalid iso country code '{code}'");
}
