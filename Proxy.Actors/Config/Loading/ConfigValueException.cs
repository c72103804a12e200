using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Loading;

/// <summary>
/// A value failed to parse. Thrown only by parsers and caught by <see cref="KeyTable{T}"/>, which turns it
/// into a collected <see cref="ConfigError"/>; it never leaves the loader.
/// </summary>
internal sealed class ConfigValueException(string message, YamlNode? at = null) : Exception(message)
{
    /// <summary>The node to blame when it is more precise than the key (an element of a list).</summary>
    public YamlNode? At { get; } = at;
}

/// <summary>A known g3 key or value whose feature G3Actors has not built; reported as <c>not supported yet: What</c>.</summary>
internal sealed class NotSupportedYetException(string what, YamlNode? at = null)
    : Exception($"not supported yet: {what}")
{
    public string What { get; } = what;
    public YamlNode? At { get; } = at;
}
