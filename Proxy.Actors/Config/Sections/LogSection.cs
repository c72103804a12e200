using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Sections;

/// <summary>
/// g3's <c>log:</c>: a driver name for every log type, or a map with <c>default</c> (or the
/// <c>syslog</c>/<c>fluentd</c> shorthands for it) and per-type <c>task</c>/<c>escape</c>/<c>resolve</c>/<c>audit</c>.
/// A log type without its own setting follows the default.
/// </summary>
internal static class LogSection
{
    public static LogConfig Parse(YamlNode value, EntryScope scope)
    {
        scope = scope.ForEntry("log");
        if (value is not YamlMappingNode map)
        {
            LoggerConfig all;
            try { all = new LoggerConfig { Driver = DriverName(YamlValue.String(value, "a log driver name"), value) }; }
            catch (ConfigValueException e) { scope.Error(e.At ?? value, "log", $"key 'log': {e.Message}"); return new LogConfig(); }
            return new LogConfig { Default = all, Task = all, Escape = all, Resolve = all, Audit = all };
        }

        LoggerConfig? task = null, escape = null, resolve = null, audit = null;
        var keys = new KeyTable<LogConfig>()
            .On("default", (c, v, s) => c with { Default = Logger(v, s) })
            .On("syslog", (c, v, s) => c with { Default = new LoggerConfig { Driver = LogDriver.Syslog, Syslog = SyslogDriverParser.FromYaml(v) } })
            .On("fluentd", (c, v, s) => c with { Default = new LoggerConfig { Driver = LogDriver.Fluentd, Fluentd = FluentdDriverParser.FromYaml(v, s) } })
            .On("task", (c, v, s) => { task = Logger(v, s); return c; })
            .On("escape", (c, v, s) => { escape = Logger(v, s); return c; })
            .On("resolve", (c, v, s) => { resolve = Logger(v, s); return c; })
            .On("audit", (c, v, s) => { audit = Logger(v, s); return c; });
        var result = keys.Apply(new LogConfig(), map, scope);
        return result with
        {
            Task = task ?? result.Default,
            Escape = escape ?? result.Default,
            Resolve = resolve ?? result.Default,
            Audit = audit ?? result.Default,
        };
    }

    /// <summary>A driver name, or a map holding at most one driver key plus the async keys (g3: no driver key is discard).</summary>
    private static LoggerConfig Logger(YamlNode node, EntryScope scope)
    {
        if (node is not YamlMappingNode map)
            return new LoggerConfig { Driver = DriverName(YamlValue.String(node, "a log driver name"), node) };
        var result = LoggerConfig.Discard;
        var driverSet = false;
        foreach (var (key, k, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "async_channel_size" or "channel_size":
                    result = result with { ChannelSize = YamlValue.Int32(value, 1) };
                    break;
                case "async_thread_number" or "thread_number":
                    YamlValue.Int32(value, 0);
                    scope.NoEffect(k, $"log.{key}");
                    break;
                case "io_error_sampling_offset":
                    YamlValue.Int32(value, 0, 16);
                    scope.NoEffect(k, $"log.{key}");
                    break;
                case "journal" or "syslog" or "fluentd":
                    if (driverSet) throw new ConfigValueException($"more than one log driver ('{key}')", k);
                    driverSet = true;
                    result = key switch
                    {
                        "journal" => result with { Driver = LogDriver.Journal, Syslog = null, Fluentd = null },
                        "syslog" => result with { Driver = LogDriver.Syslog, Syslog = SyslogDriverParser.FromYaml(value) },
                        _ => result with { Driver = LogDriver.Fluentd, Fluentd = FluentdDriverParser.FromYaml(value, scope) },
                    };
                    if (key == "journal" && value is YamlMappingNode { Children.Count: > 0 } jm)
                        throw new ConfigValueException("journal takes no keys: use an empty map", jm);
                    break;
                default:
                    throw YamlValue.UnknownKey(key, k);
            }
        }
        return result;
    }

    private static LogDriver DriverName(string name, YamlNode at) =>
        YamlKey.Normalize(name) switch
        {
            "discard" => LogDriver.Discard,
            "stdout" => LogDriver.Stdout,
            "journal" => LogDriver.Journal,
            "syslog" => LogDriver.Syslog,
            "fluentd" => LogDriver.Fluentd,
            _ => throw new ConfigValueException($"unknown log driver '{name}' (discard, stdout, journal, syslog, fluentd)", at),
        };
}
