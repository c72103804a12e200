using System.Buffers.Binary;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// The client half of the h2 handshake (RFC 9113 3.4): the connection preface and the SETTINGS frame
/// that must follow it, read whole within client_handshake_timeout. The bytes are kept so the HTTP/2
/// server reads them again; what went wrong is a value for the task log.
/// </summary>
internal static class H2Preface
{
    private static readonly byte[] Magic = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private const int FrameHeader = 9;
    private const byte SettingsType = 0x4;

    /// <summary>Before it has the server's SETTINGS a client may not send a frame over the default 16 KiB.</summary>
    private const int DefaultMaxFrame = 16 * 1024;

    public static async Task<(byte[] Read, string? Error, bool Closed)> ReadAsync(Stream client, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var buffer = new byte[Magic.Length + FrameHeader + DefaultMaxFrame];
        var have = 0;
        var need = Magic.Length + FrameHeader;
        using var limit = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        while (have < need)
        {
            int n;
            try
            {
                n = await client.ReadAsync(buffer.AsMemory(have, need - have), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return ([], "no connection preface and SETTINGS within client_handshake_timeout", false);
            }
            catch (Exception e) when (IoErrors.IsExpected(e))
            {
                return ([], "read failed: " + e.Message, true);
            }
            if (n == 0) return ([], $"the client closed after {have} bytes of the connection preface", true);
            have += n;
            if (!Magic.AsSpan(0, Math.Min(have, Magic.Length)).SequenceEqual(buffer.AsSpan(0, Math.Min(have, Magic.Length))))
                return ([], "not an HTTP/2 connection preface", false);
            if (have == Magic.Length + FrameHeader && need == have)
            {
                var header = buffer.AsSpan(Magic.Length, FrameHeader);
                var length = (header[0] << 16) | BinaryPrimitives.ReadUInt16BigEndian(header[1..]);
                if (header[3] != SettingsType) return ([], "the first frame is not SETTINGS", false);
                if (length > DefaultMaxFrame || length % 6 != 0) return ([], $"a SETTINGS frame of {length} bytes", false);
                need += length;
            }
        }
        return (buffer[..have], null, false);
    }
}
