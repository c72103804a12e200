namespace Proxy.Actors.Config;

/// <summary>Thrown by the loader when the config is refused; carries every error found.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
    {
        Errors = errors;
    }

    public ConfigException(ConfigError error) : this(new[] { error }) { }

    public IReadOnlyList<ConfigError> Errors { get; }
}
