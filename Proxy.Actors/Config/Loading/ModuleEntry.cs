using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Loading;

/// <summary>One object of a module family (a server, an escaper...) with the file and position it came from.</summary>
internal sealed record ModuleEntry(YamlMappingNode Map, string FullPath, ConfigPosition Position);
