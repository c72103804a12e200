namespace Proxy.Actors.Stats;

/// <summary>
/// g3's <c>stat_id</c> tag: a machine-local id per stats object, so a statsd that drops the tag
/// can still tell two processes (old and new during a hot upgrade) apart before aggregating.
/// The process id in the high half keeps it unique across processes.
/// </summary>
internal static class StatId
{
    public static long New() => ((long)Environment.ProcessId << 32) | (uint)Random.Shared.Next();
}
