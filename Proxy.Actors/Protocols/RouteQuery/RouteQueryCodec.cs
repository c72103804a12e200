using System.Buffers;
using MessagePack;
using Proxy.Actors.Protocols.MsgPack;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Protocols.RouteQuery;

/// <summary>route_query's question: who asks for which host (and from which client IP, with query_pass_client_ip).</summary>
public sealed record RouteQueryKey(string User, string Host, string? ClientIp);

/// <summary>The agent's answer: the request id, the next escapers it allows (weighted), the TTL in seconds (0: protective).</summary>
public sealed record RouteQueryAnswer(Guid Id, IReadOnlyList<Weighted<string>> Nodes, uint Ttl);

/// <summary>
/// g3's route query protocol (sphinx/g3proxy/protocol/helper/route_query.rst): one msgpack map per UDP
/// datagram. Request: <c>id</c> (16-byte uuid binary), <c>user</c> ("" without auth), <c>host</c>,
/// optional <c>client_ip</c>. Response: <c>id</c> (uuid binary or string), <c>nodes</c> (a name or a
/// list of names or <c>{name, weight}</c>), <c>ttl</c> (u32). An unknown response key makes the
/// answer invalid, as in g3. Decoding never throws.
/// </summary>
public static class RouteQueryCodec
{
    public static byte[] EncodeRequest(Guid id, RouteQueryKey key)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + key.Host.Length + key.User.Length);
        var w = new MessagePackWriter(buffer);
        w.WriteMapHeader(key.ClientIp is null ? 3 : 4);
        w.Write("id"); w.Write(id.ToByteArray(bigEndian: true));
        w.Write("user"); w.Write(key.User);
        w.Write("host"); w.Write(key.Host);
        if (key.ClientIp is { } ip) { w.Write("client_ip"); w.Write(ip); }
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static RouteQueryAnswer? DecodeResponse(ReadOnlyMemory<byte> datagram, out string error)
    {
        error = "";
        try
        {
            var r = new MessagePackReader(datagram);
            if (r.NextMessagePackType != MessagePackType.Map) throw new InvalidDataException("the response should be a map");
            Guid? id = null;
            var nodes = new List<Weighted<string>>();
            uint ttl = 0;
            var count = r.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                var key = MsgPackText.ReadKey(ref r);
                switch (key)
                {
                    case "id": id = ReadUuid(ref r); break;
                    case "nodes":
                        if (r.NextMessagePackType == MessagePackType.Array)
                        {
                            var n = r.ReadArrayHeader();
                            for (var j = 0; j < n; j++) nodes.Add(ReadWeightedName(ref r));
                        }
                        else nodes.Add(ReadWeightedName(ref r));
                        break;
                    case "ttl": ttl = r.ReadUInt32(); break;
                    default: throw new InvalidDataException($"invalid key {key}");
                }
            }
            if (id is null) throw new InvalidDataException("no required key 'id' found");
            return new RouteQueryAnswer(id.Value, nodes, ttl);
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidDataException or EndOfStreamException
                                      or FormatException or OverflowException)
        {
            error = "invalid response: " + e.Message;
            return null;
        }
    }

    private static Guid ReadUuid(ref MessagePackReader r)
    {
        if (r.NextMessagePackType == MessagePackType.Binary)
        {
            var bytes = r.ReadBytes()!.Value.ToArray();
            return bytes.Length == 16 ? new Guid(bytes, bigEndian: true) : throw new InvalidDataException($"uuid binary of {bytes.Length} bytes");
        }
        return Guid.Parse(MsgPackText.Read(ref r));
    }

    /// <summary>A name, or <c>{name, weight}</c> (g3's weighted metric node name).</summary>
    private static Weighted<string> ReadWeightedName(ref MessagePackReader r)
    {
        if (r.NextMessagePackType != MessagePackType.Map) return new Weighted<string>(MsgPackText.Read(ref r));
        string? name = null;
        var weight = 1.0;
        var n = r.ReadMapHeader();
        for (var i = 0; i < n; i++)
        {
            switch (MsgPackText.Read(ref r))
            {
                case "name": name = MsgPackText.Read(ref r); break;
                case "weight": weight = r.NextMessagePackType == MessagePackType.Float ? r.ReadDouble() : r.ReadInt64(); break;
                case var k: throw new InvalidDataException($"invalid weighted name key {k}");
            }
        }
        if (string.IsNullOrEmpty(name) || weight < 0 || double.IsNaN(weight)) throw new InvalidDataException("invalid weighted name");
        return new Weighted<string>(name, weight);
    }
}
