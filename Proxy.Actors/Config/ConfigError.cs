namespace Proxy.Actors.Config;

/// <summary>
/// One refusal or warning, formatted as ARCHITECTURE.md fixes it:
/// <c>escaper.yml:7: escaper 'float': unknown key 'bind_iq'</c>.
/// </summary>
public sealed record ConfigError(string File, int Line, string Entry, string Key, string Message)
{
    public override string ToString()
    {
        var where = Line > 0 ? $"{File}:{Line}" : File;
        var entry = string.IsNullOrEmpty(Entry) ? "" : $" {Entry}:";
        return $"{where}:{entry} {Message}";
    }
}
