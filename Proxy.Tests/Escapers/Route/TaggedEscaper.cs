using System.Collections.Concurrent;
using Proxy.Actors.Escapers;

namespace Proxy.Tests.Escapers.Route;

/// <summary>A next escaper for route tests: answers with a stream it can be recognised by, or a set failure.</summary>
internal sealed class TaggedEscaper(string name, EscapeErrorKind fail = EscapeErrorKind.None) : IEscaper
{
    public string Name => name;
    public string TypeName => "Tagged";
    public ConcurrentQueue<EscapeRequest> Seen { get; } = new();
    public int Calls => Seen.Count;

    public ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct)
    {
        Seen.Enqueue(request);
        return new(fail == EscapeErrorKind.None
            ? new EscapeResult { Stream = new TaggedStream(name) }
            : EscapeResult.Fail(fail, $"{name} failed"));
    }
}

/// <summary>An upstream stream that says which escaper made it.</summary>
internal sealed class TaggedStream(string tag) : MemoryStream
{
    public string Tag => tag;
}
