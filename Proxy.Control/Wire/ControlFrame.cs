namespace Proxy.Control.Wire;

/// <summary>
/// One line of the control protocol (docs/control.md): newline-delimited JSON, one object per
/// line. <see cref="Type"/> says which fields are set: <c>hello</c> (client: version, token),
/// <c>welcome</c> (node: version, node, palettes, names), <c>refused</c> (node: error, then close),
/// <c>request</c> (client: id, words), <c>output</c> (node: id, lines; zero or more, streamed),
/// <c>reply</c> (node: id, lines, notice or error; ends the request).
/// </summary>
internal sealed record ControlFrame
{
    public const int ProtocolVersion = 1;

    public string Type { get; init; } = "";
    public int? Version { get; init; }
    public string? Token { get; init; }
    public string? Node { get; init; }
    public IReadOnlyList<CommandPaletteInfo>? Palettes { get; init; }
    /// <summary>Object names by kind (server, escaper...), for completion of <c>&lt;server&gt;</c> arguments.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Names { get; init; }
    public long? Id { get; init; }
    public IReadOnlyList<string>? Words { get; init; }
    public IReadOnlyList<string>? Lines { get; init; }
    public string? Notice { get; init; }
    public string? Error { get; init; }

    public static ControlFrame Hello(string? token) => new() { Type = "hello", Version = ProtocolVersion, Token = token };
    public static ControlFrame Refused(string error) => new() { Type = "refused", Version = ProtocolVersion, Error = error };
    public static ControlFrame Request(long id, IReadOnlyList<string> words) => new() { Type = "request", Id = id, Words = words };
}

/// <summary>A palette as sent in <c>welcome</c>: its first word, help, and the commands it offers.</summary>
internal sealed record CommandPaletteInfo(string Name, string Help, IReadOnlyList<CommandWordInfo> Commands);

/// <summary>One command: its usage (<c>server &lt;server&gt; status</c>) and help text.</summary>
internal sealed record CommandWordInfo(string Usage, string Help);
