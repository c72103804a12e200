namespace Proxy.Actors.Handles;

/// <summary>
/// To a handle owner that a reload replaces: stop, but leave the published handle in place for
/// the successor to overwrite, so a request in the gap never meets the family's fallback.
/// </summary>
public sealed record HandleRetire
{
    public static readonly HandleRetire Instance = new();
}
