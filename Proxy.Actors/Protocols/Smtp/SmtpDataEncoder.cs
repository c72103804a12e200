namespace Proxy.Actors.Protocols.Smtp;

/// <summary>
/// A mail as SMTP DATA (RFC 5321 section 4.5.2): lines starting with "." get another, the mail ends
/// with CRLF, then the terminating ".". How g3 sends a mail an ICAP server gave back to the server.
/// </summary>
internal static class SmtpDataEncoder
{
    public enum Status { Done, ReadFailed, WriteFailed }

    private static readonly byte[] Terminator = ".\r\n"u8.ToArray();
    private static readonly byte[] CrlfTerminator = "\r\n.\r\n"u8.ToArray();

    /// <summary>Copies <paramref name="mail"/> to <paramref name="destination"/> encoded: which side failed, if one did, and the wire bytes written.</summary>
    public static async Task<(Status Status, long Written, string? Error)> CopyAsync(Stream mail, Stream destination, Action? progress, CancellationToken ct)
    {
        var buf = new byte[16 * 1024];
        var lineStart = true;
        var lastCr = false;
        long written = 0;
        while (true)
        {
            int n;
            try
            {
                n = await mail.ReadAsync(buf, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                return (Status.ReadFailed, written, e.Message);
            }
            try
            {
                if (n == 0)
                {
                    var end = lineStart ? Terminator : CrlfTerminator;
                    await destination.WriteAsync(end, ct).ConfigureAwait(false);
                    return (Status.Done, written + end.Length, null);
                }
                var from = 0;
                for (var i = 0; i < n; i++)
                {
                    if (lineStart && buf[i] == '.')
                    {
                        // Up to the dot, then one more dot; the line's own dot leads the next write.
                        await destination.WriteAsync(buf.AsMemory(from, i - from), ct).ConfigureAwait(false);
                        await destination.WriteAsync(Terminator.AsMemory(0, 1), ct).ConfigureAwait(false);
                        written += i - from + 1;
                        from = i;
                    }
                    lineStart = buf[i] == '\n' && (i > 0 ? buf[i - 1] == '\r' : lastCr);
                    lastCr = buf[i] == '\r';
                }
                await destination.WriteAsync(buf.AsMemory(from, n - from), ct).ConfigureAwait(false);
                written += n - from;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                return (Status.WriteFailed, written, e.Message);
            }
            progress?.Invoke();
        }
    }
}
