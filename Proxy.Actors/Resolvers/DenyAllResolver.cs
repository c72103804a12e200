using System.Net.Sockets;

namespace Proxy.Actors.Resolvers;

/// <summary>
/// g3's <c>deny_all</c>: refuses every lookup. It is also what a dangling resolver name
/// resolves to, so an escaper that names a missing resolver fails with 530 instead of crashing.
/// </summary>
public sealed class DenyAllResolver : IResolver
{
    public DenyAllResolver(string name) => Name = name;

    public string Name { get; }

    public ValueTask<ResolveResult> ResolveAsync(string host, AddressFamily family, CancellationToken ct) =>
        new(ResolveResult.Fail(ResolveErrorKind.Denied, $"resolver '{Name}' denies all queries"));
}
