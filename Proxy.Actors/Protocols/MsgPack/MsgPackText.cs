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
}
