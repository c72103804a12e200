using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace Proxy.Actors.Logging.Drivers;

/// <summary>
/// A record in the Forward protocol's Message mode, as g3's fluentd driver sends it:
/// <c>[tag, EventTime, {field: value, ..., "msg": message}]</c>, EventTime being ext type 0 with
/// big-endian seconds and nanoseconds. Integers stay integers. Tags are <c>ident.Task</c> etc.
/// </summary>
internal static class FluentdEncoder
{
    public static void Write(IBufferWriter<byte> output, string tag, LogRecord record)
    {
        var w = new MessagePackWriter(output);
        w.WriteArrayHeader(3);
        w.Write(tag);
        w.WriteExtensionFormatHeader(new ExtensionHeader(0, 8));
        var unixNs = (record.Time - DateTimeOffset.UnixEpoch).Ticks * 100;
        var time = w.GetSpan(8);
        BinaryPrimitives.WriteUInt32BigEndian(time, (uint)(unixNs / 1_000_000_000));
        BinaryPrimitives.WriteUInt32BigEndian(time[4..], (uint)(unixNs % 1_000_000_000));
        w.Advance(8);
        w.WriteMapHeader(record.Fields.Count + 1);
        foreach (var f in record.Fields)
        {
            w.Write(f.Key);
            if (f.IsNumber) w.Write(f.Number);
            else w.Write(f.Text);
        }
        w.Write("msg");
        w.Write(record.Message);
        w.Flush();
    }
}
