using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Sections;

/// <summary>
/// g3's <c>log:</c>: a driver name for every log type, or a map with <c>default</c> and per-type
/// <c>task</c>/<c>escape</c>/<c>resolve</c>/<c>audit</c>. Only discard and stdout are built.
/// </summary>
internal static class LogSection
{
    public static LogConfig Parse(YamlNode value, EntryScope scope)
    {
        scope = scope.ForEntry("log");
        if (value is not YamlMappingNode map)
        {
            LogDriver driver;
            try { driver = Driver(value, scope); }
            catch (NotSupportedYetException e) { scope.Error(e.At ?? value, "log", e.Message); return new LogConfig(); }
            catch (ConfigValueException e) { scope.Error(e.At ?? value, "log", $"key 'log': {e.Message}"); return new LogConfig(); }
            return new LogConfig { Default = driver, Task = driver, Escape = driver, Resolve = driver, Audit = driver };
        }

        var result = new LogConfig();
        var explicitTypes = new HashSet<string>();
        var keys = new KeyTable<LogConfig>()
            .On("default", (c, v, s) => c with { Default = Driver(v, s) })
            .On("task", (c, v, s) => { explicitTypes.Add("task"); return c with { Task = Driver(v, s) }; })
            .On("escape", (c, v, s) => { explicitTypes.Add("escape"); return c with { Escape = Driver(v, s) }; })
            .On("resolve", (c, v, s) => { explicitTypes.Add("resolve"); return c with { Resolve = Driver(v, s) }; })
            .On("audit", (c, v, s) => { explicitTypes.Add("audit"); return c with { Audit = Driver(v, s) }; })
            .NotSupported("syslog|fluentd|journal");
        result = keys.Apply(result, map, scope);
        // g3: a log type without its own setting follows `default`
        return result with
        {
            Task = explicitTypes.Contains("task") ? result.Task : result.Default,
            Escape = explicitTypes.Contains("escape") ? result.Escape : result.Default,
            Resolve = explicitTypes.Contains("resolve") ? result.Resolve : result.Default,
            Audit = explicitTypes.Contains("audit") ? result.Audit : result.Default,
        };
    }

    /// <summary>A driver name, or a map holding one driver key plus async tuning keys (which have no effect).</summary>
    private static LogDriver Driver(YamlNode node, EntryScope scope)
    {
        if (node is not YamlMappingNode map) return DriverName(YamlValue.String(node, "a log driver name"), node);
        LogDriver? driver = null;
        foreach (var (key, k, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "async_channel_size" or "async_thread_number" or "io_error_sampling_offset":
                    scope.NoEffect(k, $"log.{key}");
                    break;
                default:
                    if (driver is not null) throw new ConfigValueException($"more than one log driver ('{key}')", k);
                    driver = DriverName(key, k);
                    break;
            }
        }
        return driver ?? throw new ConfigValueException("no log driver set", node);
    }

    private static LogDriver DriverName(string name, YamlNode at) =>
        YamlKey.Normalize(name) switch
        {
            "discard" => LogDriver.Discard,
            "stdout" => LogDriver.Stdout,
            "journal" or "syslog" or "fluentd" => throw new NotSupportedYetException($"log driver '{YamlKey.Normalize(name)}'", at),
            _ => throw new ConfigValueException($"unknown log driver '{name}' (discard, stdout, journal, syslog, fluentd)", at),
        };
}
