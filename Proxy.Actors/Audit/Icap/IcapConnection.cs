using System.IO.Pipelines;
using Proxy.Actors.Protocols.Icap;

namespace Proxy.Actors.Audit.Icap;

/// <summary>One connection to an ICAP service, with the OPTIONS it was told when it opened (as g3 keeps them).</summary>
internal sealed class IcapConnection(Stream stream) : IAsyncDisposable
{
    public Stream Stream { get; } = stream;
    public PipeReader Reader { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
    /// <summary>The OPTIONS answer, set once right after the connection opens.</summary>
    public IcapOptions? Options { get; set; }
    /// <summary>Timestamp (TimeProvider ticks) of the OPTIONS answer, for Options-TTL.</summary>
    public long OptionsAt { get; set; }
    public bool Reused { get; set; }

    public async ValueTask DisposeAsync()
    {
        await Reader.CompleteAsync().ConfigureAwait(false);
        await Stream.DisposeAsync().ConfigureAwait(false);
    }
}
