using System.Text;
using MessagePack;

namespace Proxy.Actors.Protocols.MsgPack;

/// <summary>Text as g3's msgpack peers send it: a str, or a bin holding UTF-8 (g3_msgpack::value::as_string).</summary>
internal static class MsgPackText
{
    public static string Read(ref MessagePackReader r) => r.NextMessagePackType switch
    {
        MessagePackType.String => r.ReadString() ?? "",
        MessagePackType.Binary => Encoding.UTF8.GetString(r.ReadBytes()!.Value),
        var t => throw new InvalidDataException($"expected a string, got {t}"),
    };

    /// <summary>A map key as g3 normalises it: lower case, '-' as '_'.</summary>
    public static string ReadKey(ref MessagePackReader r) => Read(ref r).ToLowerInvariant().Replace('-', '_');

    /// <summary>
    /// A map key of a protocol with numbered keys: the number as sent, or a name (normalised as
    /// <see cref="ReadKey"/>) mapped to its index in <paramref name="names"/> (index 0 unused; -1: unknown).
    /// </summary>
    public static long ReadKeyId(ref MessagePackReader r, string[] names)
    {
        if (r.NextMessagePackType == MessagePackType.Integer) return r.ReadInt64();
        var id = Array.IndexOf(names, ReadKey(ref r));
        return id > 0 ? id : -1;
    }
}
