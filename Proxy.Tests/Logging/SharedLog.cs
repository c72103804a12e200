namespace Proxy.Tests.Logging;

/// <summary>
/// A task log a node writes from its own threads while a test reads it. Writes and reads take one lock: a
/// StringWriter behind <see cref="TextWriter.Synchronized"/> is written under the wrapper's lock but read
/// without it, which threw inside StringBuilder or showed a line cut mid-write. <see cref="WaitForLinesAsync"/>
/// gives whole lines only, never the one the logger is still writing.
/// </summary>
public sealed class SharedLog : StringWriter
{
    private readonly Lock _lock = new();

    public override void Write(char value) { lock (_lock) base.Write(value); }
    public override void Write(string? value) { lock (_lock) base.Write(value); }
    public override void Write(char[] buffer, int index, int count) { lock (_lock) base.Write(buffer, index, count); }
    public override void Write(ReadOnlySpan<char> buffer) { lock (_lock) base.Write(buffer); }
    public override void WriteLine(string? value) { lock (_lock) base.WriteLine(value); }
    public override void WriteLine(ReadOnlySpan<char> buffer) { lock (_lock) base.WriteLine(buffer); }
    public override string ToString() { lock (_lock) return base.ToString(); }

    /// <summary>The whole lines that match, once there are <paramref name="count"/> of them or the time is up.</summary>
    public async Task<string[]> WaitForLinesAsync(Func<string, bool> match, int count = 1, int timeoutMs = 10000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var text = ToString();
            var whole = text[..(text.LastIndexOf('\n') + 1)];
            var lines = whole.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(match).ToArray();
            if (lines.Length >= count || DateTime.UtcNow > deadline) return lines;
            await Task.Delay(20);
        }
    }
}
