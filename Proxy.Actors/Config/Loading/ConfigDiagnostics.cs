namespace Proxy.Actors.Config.Loading;

/// <summary>Collects every refusal and warning of one load, so all of them are reported together.</summary>
internal sealed class ConfigDiagnostics(string mainDir)
{
    private readonly List<ConfigError> _errors = [];
    private readonly List<ConfigError> _warnings = [];

    public IReadOnlyList<ConfigError> Errors => _errors;
    public IReadOnlyList<ConfigError> Warnings => _warnings;

    /// <summary>Paths in messages are relative to the main file's directory: short, and still unambiguous.</summary>
    public string Display(string fullPath)
    {
        var rel = Path.GetRelativePath(mainDir, fullPath);
        return rel.StartsWith("..", StringComparison.Ordinal) ? fullPath : rel;
    }

    public void Error(string fullPath, int line, string entry, string key, string message) =>
        _errors.Add(new ConfigError(Display(fullPath), line, entry, key, message));

    public void Warn(string fullPath, int line, string entry, string key, string message) =>
        _warnings.Add(new ConfigError(Display(fullPath), line, entry, key, message));
}
