namespace Proxy.Actors.Escapers;

/// <summary>
/// The handle an escaper actor publishes. Connection tasks call it directly; it must be
/// thread-safe. Every wait inside is bounded by the escaper's own timeouts and the token.
/// One method for every want, so a route escaper passes any request on unchanged.
/// </summary>
public interface IEscaper
{
    string Name { get; }
    string TypeName { get; }
    ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct);
}
