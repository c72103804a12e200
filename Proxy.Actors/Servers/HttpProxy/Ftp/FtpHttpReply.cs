using Proxy.Actors.Servers.HttpCommon;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.HttpProxy.Ftp;

/// <summary>The heads of FTP-over-HTTP answers: 200 with a length, chunked, or read-until-close; and 100 Continue.</summary>
internal static class FtpHttpReply
{
    /// <summary>How the body after the head is framed.</summary>
    internal enum Framing { Sized, Chunked, UntilClose }

    /// <summary>Writes a 200 head; false when the client is gone.</summary>
    public static async ValueTask<bool> OkAsync(ClientConnection client, int version, bool close, string? contentType, Framing framing, long length, CancellationToken ct)
    {
        using var w = new HeadWriter(256);
        w.Append(version == 10 ? "HTTP/1.0 200 OK\r\n"u8 : "HTTP/1.1 200 OK\r\n"u8);
        if (contentType is not null) w.Field("Content-Type", contentType);
        switch (framing)
        {
            case Framing.Sized: w.Field("Content-Length", length.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
            case Framing.Chunked: w.Field("Transfer-Encoding", "chunked"); break;
        }
        w.Field("Connection", close ? "close" : "keep-alive").End();
        return await WriteAsync(client.Stream, w.Written, ct).ConfigureAwait(false);
    }

    public static ValueTask<bool> ContinueAsync(ClientConnection client, CancellationToken ct) =>
        WriteAsync(client.Stream, "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), ct);

    public static async ValueTask<bool> WriteAsync(Stream client, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        try
        {
            await client.WriteAsync(bytes, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            return false;
        }
    }
}
