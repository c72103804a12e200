using Proxy.Actors.Servers.HttpCommon;
using System.Buffers;
using System.Globalization;
using System.Text;

namespace Proxy.Actors.Servers.HttpProxy.Ftp;

/// <summary>Writes an FTP transfer's bytes to the HTTP client, as chunks when the head said chunked.</summary>
internal sealed class FtpBodyWriter(ClientConnection client, bool chunked, Relay.SpeedLimiter? limiter = null)
{
    public async ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (data.IsEmpty) return true;
        if (limiter is not null)
        {
            try
            {
                await limiter.ThrottleAsync(data.Length, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
        if (chunked && !await FtpHttpReply.WriteAsync(client.Stream, Encoding.ASCII.GetBytes(data.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), ct).ConfigureAwait(false))
            return false;
        if (!await FtpHttpReply.WriteAsync(client.Stream, data, ct).ConfigureAwait(false)) return false;
        client.Activity.Touch();
        return !chunked || await FtpHttpReply.WriteAsync(client.Stream, "\r\n"u8.ToArray(), ct).ConfigureAwait(false);
    }

    /// <summary>The last chunk (nothing to write for a sized or read-until-close body).</summary>
    public ValueTask<bool> EndAsync(CancellationToken ct) =>
        chunked ? FtpHttpReply.WriteAsync(client.Stream, "0\r\n\r\n"u8.ToArray(), ct) : ValueTask.FromResult(true);
}

/// <summary>How copying a data connection to the client ended.</summary>
internal enum FtpCopyEnd { Done, ClientFailed, DataFailed, TimedOut, TooLong }

/// <summary>
/// Copies a data connection to the client: RETR bytes whole, LIST output bounded by g3's
/// list_max_entries lines of at most list_max_line_len bytes each.
/// </summary>
internal static class FtpDataCopy
{
    public static async Task<(FtpCopyEnd End, long Bytes)> CopyAsync(
        Stream data, FtpBodyWriter body, int bufferSize, int? maxLines, int maxLineLength, CancellationToken readCt, CancellationToken writeCt)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        long total = 0;
        var lines = 0;
        var lineLength = 0;
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await data.ReadAsync(buffer.AsMemory(0, bufferSize), readCt).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (readCt.IsCancellationRequested && !writeCt.IsCancellationRequested)
                {
                    return (FtpCopyEnd.TimedOut, total);
                }
                catch (Exception e) when (Relay.IoErrors.IsExpected(e))
                {
                    return (FtpCopyEnd.DataFailed, total);
                }
                if (n == 0) return (FtpCopyEnd.Done, total);
                var take = n;
                if (maxLines is { } max)
                {
                    // cut the listing after the last line allowed
                    for (var i = 0; i < n; i++)
                    {
                        if (buffer[i] != (byte)'\n')
                        {
                            if (++lineLength > maxLineLength) return (FtpCopyEnd.TooLong, total);
                            continue;
                        }
                        lineLength = 0;
                        if (++lines == max)
                        {
                            take = i + 1;
                            break;
                        }
                    }
                }
                if (!await body.WriteAsync(buffer.AsMemory(0, take), writeCt).ConfigureAwait(false)) return (FtpCopyEnd.ClientFailed, total);
                total += take;
                if (maxLines is { } m && lines >= m) return (FtpCopyEnd.Done, total);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
