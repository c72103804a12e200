namespace Proxy.Actors.Handles;

/// <summary>Told to the guardian when an owner (resolver, escaper, user group...) published its handle.</summary>
public sealed record HandlePublished(string Family, string Name);
