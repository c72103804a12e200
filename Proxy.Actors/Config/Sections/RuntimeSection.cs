using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Sections;

/// <summary>g3's <c>runtime:</c>: thread_number maps to the thread-pool minimum; tokio-only knobs warn.</summary>
internal static class RuntimeSection
{
    private static readonly KeyTable<RuntimeConfig> Keys = new KeyTable<RuntimeConfig>()
        .On("thread_number", (c, v, _) => c with { ThreadNumber = YamlValue.Int32(v, 0, 4096) })
        .On("server_offline_delay", (c, v, _) => c with { ServerOfflineDelay = HumanDuration.FromYaml(v) })
        .On("task_wait_delay", (c, v, _) => c with { TaskWaitDelay = HumanDuration.FromYaml(v) })
        .On("task_wait_timeout", (c, v, _) => c with { TaskWaitTimeout = HumanDuration.FromYaml(v) })
        .On("task_quit_timeout", (c, v, _) => c with { TaskQuitTimeout = HumanDuration.FromYaml(v) })
        .NoEffect("thread_name|thread_stack_size|max_io_events_per_tick");

    public static RuntimeConfig Parse(YamlNode value, EntryScope scope) =>
        Keys.Apply(new RuntimeConfig(), YamlValue.Map(value, "a map of runtime keys"), scope);
}
