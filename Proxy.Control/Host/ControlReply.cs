namespace Proxy.Control.Host;

/// <summary>What a word produced: lines to print, then <c>notice: ...</c> on success or <c>error: ...</c>.</summary>
internal sealed record ControlReply(IReadOnlyList<string> Lines, string? Notice = null, string? Error = null)
{
    public bool Ok => Error is null;

    public static ControlReply Done(string notice) => new([], notice);
    public static ControlReply Fail(string error) => new([], Error: error);
    public static ControlReply Text(IEnumerable<string> lines) => new(lines.ToList());
}

/// <summary>A request from one pbm session to the control actor.</summary>
internal sealed record ControlRequest(IReadOnlyList<string> Words);
