namespace Proxy.Actors.Config.Values;

/// <summary>g3's <c>runtime</c> section, mapped onto .NET where an equivalent exists.</summary>
public sealed record RuntimeConfig
{
    /// <summary>runtime.thread_number: used as the thread-pool minimum (0 = leave the default).</summary>
    public int ThreadNumber { get; init; }
    public TimeSpan ServerOfflineDelay { get; init; } = TimeSpan.FromSeconds(4);
    public TimeSpan TaskWaitDelay { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan TaskWaitTimeout { get; init; } = TimeSpan.FromHours(10);
    public TimeSpan TaskQuitTimeout { get; init; } = TimeSpan.FromMinutes(30);
}
