using System.Globalization;
using System.Text;

namespace Proxy.Actors.Stats;

/// <summary>
/// StatsD lines as g3's statsd client writes them — <c>prefix.name:value|c</c> or <c>|g</c>,
/// then DogStatsD tags <c>|#k:v,k:v</c>, each line ending in a newline — packed into datagrams
/// of at most <c>max_segment_size</c> bytes (a line is never split; one longer than a segment
/// goes alone). Once <c>cache_size</c> bytes are pending they are sent before more are formatted.
/// Not thread-safe: the stats actor owns it.
/// </summary>
internal sealed class StatsdBatch
{
    private readonly string _linePrefix;
    private readonly string _clientTags;
    private readonly int _segmentSize;
    private readonly int _cacheSize;
    private readonly Action<ReadOnlyMemory<byte>> _send;
    private readonly List<byte[]> _lines = new();
    private readonly StringBuilder _sb = new(256);
    private readonly byte[] _segment;
    private int _pending;

    /// <param name="prefix">g3's <c>prefix</c>; empty means none.</param>
    /// <param name="clientTags">Tags every line carries first (g3: daemon_group).</param>
    public StatsdBatch(string prefix, IReadOnlyList<KeyValuePair<string, string>> clientTags, int segmentSize, int cacheSize,
        Action<ReadOnlyMemory<byte>> send)
    {
        _linePrefix = prefix.Length == 0 ? "" : prefix + ".";
        _clientTags = Tags.Join(clientTags);
        _segmentSize = Math.Max(64, segmentSize);
        _cacheSize = Math.Max(_segmentSize, cacheSize);
        _segment = new byte[_segmentSize];
        _send = send;
    }

    public void Count(string name, long value, Tags tags, string? key = null, string? value2 = null) =>
        Add(name, value, 'c', tags, key, value2);

    public void Gauge(string name, long value, Tags tags, string? key = null, string? value2 = null) =>
        Add(name, value, 'g', tags, key, value2);

    /// <summary>One line; <paramref name="localKey"/>/<paramref name="localValue"/> is a tag of this line only (transport, rr_type...).</summary>
    private void Add(string name, long value, char type, Tags tags, string? localKey, string? localValue)
    {
        var sb = _sb.Clear();
        sb.Append(_linePrefix).Append(name).Append(':').Append(value.ToString(CultureInfo.InvariantCulture)).Append('|').Append(type);
        var first = true;
        foreach (var part in (ReadOnlySpan<string>)[_clientTags, tags.Text])
        {
            if (part.Length == 0) continue;
            sb.Append(first ? "|#" : ",").Append(part);
            first = false;
        }
        if (localKey is not null)
            sb.Append(first ? "|#" : ",").Append(localKey).Append(':').Append(localValue);
        sb.Append('\n');
        var line = Encoding.UTF8.GetBytes(sb.ToString());
        _lines.Add(line);
        _pending += line.Length;
        if (_pending >= _cacheSize) Flush();
    }

    /// <summary>Sends what is pending as datagrams, each under the segment size (the send is synchronous, so one buffer serves).</summary>
    public void Flush()
    {
        if (_lines.Count == 0) return;
        var used = 0;
        foreach (var line in _lines)
        {
            if (used + line.Length > _segmentSize && used > 0)
            {
                _send(_segment.AsMemory(0, used));
                used = 0;
            }
            if (line.Length > _segmentSize)
            {
                _send(line);
                continue;
            }
            line.CopyTo(_segment, used);
            used += line.Length;
        }
        if (used > 0) _send(_segment.AsMemory(0, used));
        _lines.Clear();
        _pending = 0;
    }

    /// <summary>A ready-joined tag group (<c>k:v,k:v</c>), built once per object and emit.</summary>
    public readonly struct Tags(string text)
    {
        private readonly string? _text = text;

        /// <summary>Empty for <c>default</c> (no tags).</summary>
        public string Text => _text ?? "";

        public static Tags Of(params KeyValuePair<string, string>[] tags) => new(Join(tags));

        public static Tags Of(IEnumerable<KeyValuePair<string, string>> tags) => new(Join(tags));

        internal static string Join(IEnumerable<KeyValuePair<string, string>> tags) =>
            string.Join(',', tags.Select(t => t.Key + ":" + t.Value));
    }
}
