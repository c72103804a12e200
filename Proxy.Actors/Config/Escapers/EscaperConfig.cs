using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Escapers;

/// <summary>Keys every g3 escaper shares (reference section 2.1).</summary>
public abstract record EscaperConfig
{
    public required string Name { get; init; }
    public required ConfigPosition Position { get; init; }
    public abstract string TypeName { get; }
    /// <summary>g3 extra_metrics_tags: static tags added to this escaper's metrics.</summary>
    public IReadOnlyDictionary<string, string> ExtraMetricsTags { get; init; } = new Dictionary<string, string>();
}

/// <summary>g3's <c>dummy_deny</c>: refuses every request; also what a dangling name resolves to.</summary>
public sealed record DummyDenyEscaperConfig : EscaperConfig
{
    public override string TypeName => "DummyDeny";
}
