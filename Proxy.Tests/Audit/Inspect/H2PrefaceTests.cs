using System.IO.Pipelines;
using Proxy.Actors.Audit.Inspect;
using Proxy.Actors.Config.Auditors;

namespace Proxy.Tests.Audit.Inspect;

public sealed class H2PrefaceTests
{
    private static readonly byte[] Magic = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    /// <summary>A SETTINGS frame (type 4) with one setting: 9 bytes of header, 6 of payload.</summary>
    private static readonly byte[] Settings = [0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100];

    private static async Task<(byte[] Read, string? Error, bool Closed)> Read(byte[] sent, bool close, TimeSpan? timeout = null)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(sent);
        if (close) await pipe.Writer.CompleteAsync();
        return await H2Preface.ReadAsync(pipe.Reader.AsStream(), timeout ?? TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
    }

    [Fact]
    public async Task PrefaceAndSettings_AreReadWhole_AndNothingMore()
    {
        var frameAfter = new byte[] { 0, 0, 0, 8, 0, 0, 0, 0, 0 };

        var (read, error, _) = await Read([.. Magic, .. Settings, .. frameAfter], close: false);

        Assert.Null(error);
        Assert.Equal([.. Magic, .. Settings], read);
    }

    [Fact]
    public async Task ClientClosingMidPreface_IsAClose_WithTheReason()
    {
        var (_, error, closed) = await Read(Magic[..16], close: true);

        Assert.True(closed);
        Assert.Equal("the client closed after 16 bytes of the connection preface", error);
    }

    [Fact]
    public async Task NotAPreface_IsRefusedAtTheFirstWrongByte()
    {
        var (_, error, closed) = await Read("GET / HTTP/1.1\r\n"u8.ToArray(), close: false);

        Assert.False(closed);
        Assert.Equal("not an HTTP/2 connection preface", error);
    }

    [Fact]
    public async Task FirstFrameNotSettings_IsRefused()
    {
        var (_, error, _) = await Read([.. Magic, 0, 0, 0, 6, 0, 0, 0, 0, 0], close: false);

        Assert.Equal("the first frame is not SETTINGS", error);
    }

    [Fact]
    public async Task SilentClient_EndsAtClientHandshakeTimeout()
    {
        var (_, error, closed) = await Read(Magic[..4], close: false, TimeSpan.FromMilliseconds(200));

        Assert.False(closed);
        Assert.Equal("no connection preface and SETTINGS within client_handshake_timeout", error);
    }

    [Fact]
    public void H2InterceptionKeys_AreKestrelsSettings()
    {
        var o = H2InterceptServer.KestrelOptions(new H2InterceptionConfig { MaxConcurrentStreams = 7, MaxHeaderListSize = 32 * 1024 });
        var h2 = o.Limits.Http2;

        Assert.Equal(7, h2.MaxStreamsPerConnection);
        Assert.Equal(256 * 1024, h2.MaxFrameSize);
        Assert.Equal(1024 * 1024, h2.InitialStreamWindowSize);
        Assert.Equal(2 * 1024 * 1024, h2.InitialConnectionWindowSize);
        Assert.Equal(32 * 1024, o.Limits.MaxRequestHeadersTotalSize);
        Assert.Null(o.Limits.MaxRequestBodySize);
    }
}
