using System.Collections.Immutable;

namespace Proxy.Actors.Handles;

/// <summary>
/// The published handles of one object family (escapers, resolvers...). Owning actors
/// replace entries; connection tasks read lock-free. A name with no handle gets the
/// family's fallback (dummy_deny for escapers, deny_all for resolvers), as g3 does.
/// </summary>
public sealed class HandleRegistry<T> where T : class
{
    private ImmutableDictionary<string, T> _handles = ImmutableDictionary<string, T>.Empty;
    private readonly Func<string, T> _fallback;

    public HandleRegistry(Func<string, T> fallback) => _fallback = fallback;

    public T Get(string? name)
    {
        var map = Volatile.Read(ref _handles);
        return name is not null && map.TryGetValue(name, out var h) ? h : _fallback(name ?? "");
    }

    public bool TryGet(string name, out T handle)
    {
        var found = Volatile.Read(ref _handles).TryGetValue(name, out var h);
        handle = h!;
        return found;
    }

    public void Publish(string name, T handle) =>
        ImmutableInterlocked.AddOrUpdate(ref _handles, name, handle, (_, _) => handle);

    public void Remove(string name) => ImmutableInterlocked.TryRemove(ref _handles, name, out _);
}
