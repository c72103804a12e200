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
    /// <summary>The resolver this escaper uses, if any (a dangling name acts as deny_all).</summary>
    public virtual string? Resolver { get; init; }
    /// <summary>The escapers a route escaper passes requests to, with the key naming each (for the loop check).</summary>
    public virtual IEnumerable<(string Key, string Name)> NextEscapers => [];
}

/// <summary>g3's <c>dummy_deny</c>: refuses every request; also what a dangling name resolves to.</summary>
public sealed record DummyDenyEscaperConfig : EscaperConfig
{
    public override string TypeName => "DummyDeny";
}
