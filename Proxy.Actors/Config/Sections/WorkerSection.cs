using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Sections;

/// <summary>
/// g3's <c>worker:</c> starts extra tokio runtimes; .NET has one thread pool, so every key is accepted
/// with a warning. Keys g3 does not know are still refused.
/// </summary>
internal static class WorkerSection
{
    private static readonly KeyTable<bool> Keys = new KeyTable<bool>()
        .NoEffect("thread_number|threads_total|thread_number_per_runtime|thread_stack_size|sched_affinity|max_io_events_per_tick|thread_name");

    public static void Parse(YamlNode value, EntryScope scope)
    {
        var map = YamlValue.Map(value, "a map of worker keys");
        Keys.Apply(true, map, scope.ForEntry("worker"));
    }
}
