using System.Globalization;
using System.Text;
using System.Text.Json;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Logging.Drivers;

/// <summary>
/// Renders a record as one syslog message the way g3's syslog driver does: RFC 3164 (the
/// default: <c>&lt;PRI&gt;Mmm dd hh:mm:ss [host ]ident[pid]: msg, key="v", num=1</c>) or RFC 5424
/// (<c>&lt;PRI&gt;1 TIMESTAMP host|- ident pid msgid|- [ident@eid key="v" ...] msg</c>), either with
/// CEE JSON (<c>@cee:{...}</c>) as content when use_cee_log_syntax is set. Severity is notice,
/// as g3's info level maps to it.
/// </summary>
internal sealed class SyslogFormatter(SyslogConfig config, string ident, string? hostname, int pid)
{
    private const int SeverityNotice = 5;
    private readonly int _priority = (config.Facility << 3) | SeverityNotice;

    public byte[] Format(LogRecord record)
    {
        var sb = new StringBuilder(640);
        if (config.Rfc5424) Header5424(sb, record.Time);
        else Header3164(sb, record.Time);
        long? reportTs = config.AppendReportTs ? record.Time.ToUnixTimeSeconds() : null;
        if (config.UseCeeLogSyntax) Cee(sb, record, reportTs);
        else if (config.Rfc5424) Content5424(sb, record, reportTs);
        else Content3164(sb, record, reportTs);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private void Header3164(StringBuilder sb, DateTimeOffset time)
    {
        var local = time.ToLocalTime();
        sb.Append('<').Append(_priority).Append('>')
            .Append(local.ToString("MMM", CultureInfo.InvariantCulture)).Append(' ')
            .Append(local.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2)).Append(' ')
            .Append(local.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        if (hostname is not null) sb.Append(' ').Append(hostname);
        sb.Append(' ').Append(ident).Append('[').Append(pid).Append("]: ");
    }

    private void Header5424(StringBuilder sb, DateTimeOffset time)
    {
        sb.Append('<').Append(_priority).Append(">1 ")
            .Append(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)).Append(' ')
            .Append(hostname ?? "-").Append(' ').Append(ident).Append(' ').Append(pid).Append(' ')
            .Append(config.MessageId ?? "-").Append(' ');
    }

    private static void Content3164(StringBuilder sb, LogRecord record, long? reportTs)
    {
        Escape(sb, record.Message, sdValue: false);
        foreach (var f in record.Fields)
        {
            sb.Append(", ").Append(f.Key).Append('=');
            if (f.IsNumber) { sb.Append(f.Number); continue; }
            sb.Append('"');
            Escape(sb, f.Text!, sdValue: false);
            sb.Append('"');
        }
        if (reportTs is { } ts) sb.Append(", report_ts=").Append(ts);
    }

    private void Content5424(StringBuilder sb, LogRecord record, long? reportTs)
    {
        sb.Append('[').Append(ident).Append('@').Append(config.EnterpriseId);
        foreach (var f in record.Fields)
        {
            sb.Append(' ').Append(f.Key).Append("=\"");
            if (f.IsNumber) sb.Append(f.Number);
            else Escape(sb, f.Text!, sdValue: true);
            sb.Append('"');
        }
        if (reportTs is { } ts) sb.Append(" report_ts=\"").Append(ts).Append('"');
        sb.Append("] ");
        Escape(sb, record.Message, sdValue: true);
    }

    private void Cee(StringBuilder sb, LogRecord record, long? reportTs)
    {
        sb.Append(config.CeeEventFlag);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            foreach (var f in record.Fields)
            {
                if (f.IsNumber) json.WriteNumber(f.Key, f.Number);
                else json.WriteString(f.Key, f.Text);
            }
            if (reportTs is { } ts) json.WriteNumber("report_ts", ts);
            json.WriteString("msg", record.Message);
            json.WriteEndObject();
        }
        sb.Append(Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length));
    }

    /// <summary>Rust's char::escape_debug as g3 applies it: both quotes, backslashes and control characters; ']' too inside RFC 5424 SD values.</summary>
    private static void Escape(StringBuilder sb, string value, bool sdValue)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\'': sb.Append("\\'"); break;
                case '\\': sb.Append("\\\\"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                case '\n': sb.Append("\\n"); break;
                case ']' when sdValue: sb.Append("\\]"); break;
                case < ' ': sb.Append("\\u{").Append(((int)c).ToString("x", CultureInfo.InvariantCulture)).Append('}'); break;
                default: sb.Append(c); break;
            }
        }
    }
}
