using System.Buffers;
using System.Text;
using MessagePack;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Logging;
using Proxy.Actors.Logging.Drivers;

namespace Proxy.Tests.Logging;

public sealed class LogDriverFormatTests
{
    private static LogRecord Record()
    {
        var r = new LogRecord("Task", new DateTimeOffset(2021, 12, 1, 10, 20, 30, 123, TimeSpan.Zero).AddTicks(4560)) { Message = "closed by client" };
        r.Add("log_type", "Task").Add("server_name", "http").Add("uri", "/a\"b]c").Add("c_rd_bytes", 42);
        return r;
    }

    [Fact]
    public void Rfc3164_IsG3Layout_MessageThenQuotedPairs()
    {
        var text = Encoding.UTF8.GetString(new SyslogFormatter(new SyslogConfig { Facility = 3 }, "g3proxy", null, 1024).Format(Record()));
        Assert.Matches(@"^<29>Dec  1 \d\d:\d\d:30 g3proxy\[1024\]: closed by client, ", text);
        Assert.EndsWith(", log_type=\"Task\", server_name=\"http\", uri=\"/a\\\"b]c\", c_rd_bytes=42", text);
    }

    [Fact]
    public void Rfc5424_PutsFieldsInStructuredData_EscapingBracket()
    {
        var config = new SyslogConfig { Facility = 3, Rfc5424 = true, EnterpriseId = 32473, MessageId = "APP01" };
        var text = Encoding.UTF8.GetString(new SyslogFormatter(config, "g3proxy", "host1", 7).Format(Record()));
        Assert.Equal("<29>1 2021-12-01T10:20:30.123456Z host1 g3proxy 7 APP01 [g3proxy@32473 log_type=\"Task\" server_name=\"http\" " +
                     "uri=\"/a\\\"b\\]c\" c_rd_bytes=\"42\"] closed by client", text);
    }

    [Fact]
    public void Cee_IsJsonWithMsg()
    {
        var config = new SyslogConfig { UseCeeLogSyntax = true };
        var text = Encoding.UTF8.GetString(new SyslogFormatter(config, "g3proxy", null, 7).Format(Record()));
        Assert.Contains("]: @cee:{\"log_type\":\"Task\",\"server_name\":\"http\",", text);
        Assert.EndsWith("\"c_rd_bytes\":42,\"msg\":\"closed by client\"}", text);
    }

    [Fact]
    public void Journal_UppercasesKeys_AndFramesNewlinesBinary()
    {
        var r = new LogRecord("Task", DateTimeOffset.UnixEpoch) { Message = "two\nlines" };
        r.Add("server-name", "http").Add("_hidden", "x");
        var bytes = JournalFormatter.Format(r, "g3proxy");
        var expectedHead = "PRIORITY=5\nSYSLOG_IDENTIFIER=g3proxy\nSERVER_NAME=http\nMESSAGE\n"u8.ToArray();
        Assert.Equal(expectedHead, bytes[..expectedHead.Length]);
        Assert.Equal(9, BitConverter.ToInt64(bytes, expectedHead.Length));
        Assert.Equal("two\nlines\n"u8.ToArray(), bytes[(expectedHead.Length + 8)..]);
    }

    [Fact]
    public void Fluentd_MessageMode_WithEventTimeAndIntegers()
    {
        var buffer = new ArrayBufferWriter<byte>();
        FluentdEncoder.Write(buffer, "g3proxy.Task", Record());
        var r = new MessagePackReader(buffer.WrittenMemory);
        Assert.Equal(3, r.ReadArrayHeader());
        Assert.Equal("g3proxy.Task", r.ReadString());
        var ext = r.ReadExtensionFormat();
        Assert.Equal(0, ext.TypeCode);
        var data = ext.Data.ToArray();
        Assert.Equal(1638354030u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data));
        Assert.Equal(123456000u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4)));
        Assert.Equal(5, r.ReadMapHeader());
        Assert.Equal("log_type", r.ReadString());
        Assert.Equal("Task", r.ReadString());
        r.Skip(); r.Skip(); r.Skip(); r.Skip();
        Assert.Equal("c_rd_bytes", r.ReadString());
        Assert.Equal(42, r.ReadInt64());
        Assert.Equal("msg", r.ReadString());
        Assert.Equal("closed by client", r.ReadString());
    }

    [Fact]
    public void HandshakeDigest_IsSha512HexOfTheParts()
    {
        // sha512("abc") from FIPS 180-2.
        Assert.StartsWith("ddaf35a193617aba", FluentdHandshake.Digest("a"u8.ToArray(), "bc"u8.ToArray()));
    }
}
