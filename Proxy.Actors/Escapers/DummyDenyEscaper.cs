namespace Proxy.Actors.Escapers;

/// <summary>
/// g3's <c>dummy_deny</c>: refuses every request (503). Also what a dangling escaper name
/// resolves to.
/// </summary>
public sealed class DummyDenyEscaper : IEscaper
{
    public DummyDenyEscaper(string name) => Name = name;

    public string Name { get; }

    public string TypeName => "DummyDeny";

    public ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct) =>
        new(EscapeResult.Fail(EscapeErrorKind.EscaperNotUsable, $"escaper '{Name}' denies all requests"));
}
