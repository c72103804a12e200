using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Config.Sections;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.UserGroups;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Loading;

/// <summary>The top-level keys of g3's main file plus G3Actors' <c>control:</c> and <c>cluster:</c>.</summary>
internal sealed class MainFileParser(ConfigDiagnostics diagnostics, string mainFile)
{
    private readonly FamilyLoader _families =
        new(diagnostics, new ModuleSourceReader(diagnostics, Path.GetExtension(mainFile)));

    private ISet<string> _escaperNames = new HashSet<string>();
    private ISet<string> _resolverNames = new HashSet<string>();

    public ProxyConfig Parse(YamlMappingNode root)
    {
        var keys = new KeyTable<ProxyConfig>()
            .On("runtime", (c, v, s) => c with { Runtime = RuntimeSection.Parse(v, s.ForEntry("runtime")) })
            .On("worker", (c, v, s) => { WorkerSection.Parse(v, s); return c; })
            .On("log", (c, v, s) => c with { Log = LogSection.Parse(v, s) })
            .On("stat", (c, v, s) => c with { Stat = StatSection.Parse(v, s) })
            .On("controller", (c, _, s, key, k) =>
            {
                s.Warn(k, key, "key 'controller' has no effect in G3Actors (use the control: section)");
                return c;
            })
            .On("control", (c, v, s) => c with { Control = ControlSection.ParseControl(v, s) })
            .On("cluster", (c, v, s) => c with { Cluster = ControlSection.ParseCluster(v, s) })
            .On("server", (c, v, s) => c with { Servers = Servers(v, s) })
            .On("escaper", (c, v, s) => c with { Escapers = Escapers(v, s) })
            .On("resolver", (c, v, s) => c with { Resolvers = Resolvers(v, s) })
            .On("auditor", (c, v, s) => c with { Auditors = Auditors(v, s) })
            .On("user_group", (c, v, s) => c with { UserGroups = UserGroups(v, s) });

        var config = keys.Apply(new ProxyConfig { MainFile = mainFile }, root, new EntryScope(diagnostics, mainFile, ""));
        WarnDangling(config);
        ResolverGraph.Check(config.Resolvers, _resolverNames.ToHashSet(), diagnostics);
        return config;
    }

    private IReadOnlyList<ServerConfig> Servers(YamlNode v, EntryScope s) =>
        _families.Load<ServerConfig>(ConfigFamily.Server, "server", v, s, ServerParser.Parse).Items;

    private IReadOnlyList<EscaperConfig> Escapers(YamlNode v, EntryScope s)
    {
        var result = _families.Load<EscaperConfig>(ConfigFamily.Escaper, "escaper", v, s, EscaperParser.Parse);
        _escaperNames = result.Names.ToHashSet();
        return result.Items;
    }

    private IReadOnlyList<AuditorConfig> Auditors(YamlNode v, EntryScope s) =>
        _families.LoadNamed<AuditorConfig>("auditor", v, s, AuditorParser.Parse).Items;

    private IReadOnlyList<ResolverConfig> Resolvers(YamlNode v, EntryScope s)
    {
        var result = _families.Load<ResolverConfig>(ConfigFamily.Resolver, "resolver", v, s, ResolverParser.Parse);
        _resolverNames = result.Names.ToHashSet();
        return result.Items;
    }

    private IReadOnlyList<UserGroupConfig> UserGroups(YamlNode v, EntryScope s) =>
        _families.Load<UserGroupConfig>(ConfigFamily.UserGroup, "user_group", v, s, UserGroupParser.Parse, defaultType: "basic").Items;

    /// <summary>As in g3 a missing object is not an error: it acts as dummy_deny / deny_all; say so.</summary>
    private void WarnDangling(ProxyConfig config)
    {
        foreach (var server in config.Servers)
            if (server.Escaper is { } e && !_escaperNames.Contains(e))
                diagnostics.Warn(server.Position.File, server.Position.Line, $"server '{server.Name}'", "escaper",
                    $"escaper '{e}' not found, acts as dummy_deny");
        foreach (var escaper in config.Escapers.OfType<DirectFixedEscaperConfig>())
            if (escaper.Resolver is { } r && !_resolverNames.Contains(r))
                diagnostics.Warn(escaper.Position.File, escaper.Position.Line, $"escaper '{escaper.Name}'", "resolver",
                    $"resolver '{r}' not found, acts as deny_all");
    }
}
