using Proxy.Actors.Servers.HttpCommon;
using System.IO.Pipelines;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Ftp;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.HttpProxy.Ftp;

/// <summary>
/// The FTP control connection: commands out, replies in, each wait bounded by a timeout from the
/// node's clock. A null reply means none came (timed out, closed, garbled); <see cref="LastError"/> says which.
/// </summary>
internal sealed class FtpControlChannel(Stream stream, Config.Servers.FtpClientConfig config, TimeProvider time) : IAsyncDisposable
{
    private readonly PipeReader _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, leaveOpen: true));

    public string? LastError { get; private set; }
    /// <summary>The last wait ran out of time (as opposed to a close or a bad reply).</summary>
    public bool TimedOut { get; private set; }

    /// <summary>Sends a command and waits command_timeout for its reply, skipping 1xx marks unless <paramref name="preliminary"/>.</summary>
    public async ValueTask<FtpReply?> CommandAsync(string verb, string? argument, CancellationToken ct, bool preliminary = false)
    {
        if (!await SendAsync(verb, argument, ct).ConfigureAwait(false)) return null;
        while (true)
        {
            var reply = await ReadAsync(config.CommandTimeout, ct).ConfigureAwait(false);
            if (reply is null || preliminary || !reply.IsPreliminary) return reply;
        }
    }

    public async ValueTask<bool> SendAsync(string verb, string? argument, CancellationToken ct)
    {
        var bytes = FtpCommand.Format(verb, argument);
        if (bytes is null)
        {
            LastError = "CR or LF in the FTP path";
            return false;
        }
        try
        {
            await stream.WriteAsync(bytes, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            LastError = "control connection write failed: " + e.Message;
            return false;
        }
    }

    /// <summary>The next reply within <paramref name="timeout"/>.</summary>
    public async ValueTask<FtpReply?> ReadAsync(TimeSpan timeout, CancellationToken ct)
    {
        TimedOut = false;
        using var limit = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        while (true)
        {
            ReadResult read;
            try
            {
                read = await _reader.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                TimedOut = true;
                LastError = $"no FTP reply within {timeout.TotalSeconds:0.###}s";
                return null;
            }
            catch (Exception e) when (IoErrors.IsExpected(e))
            {
                LastError = "control connection read failed: " + e.Message;
                return null;
            }
            var parsed = FtpReplyParser.Parse(read.Buffer, config.ControlMaxLineLength, config.ControlMaxMultiLines);
            if (parsed.IsDone)
            {
                _reader.AdvanceTo(read.Buffer.GetPosition(parsed.Consumed));
                return parsed.Value;
            }
            if (parsed.Status != ParseStatus.NeedMore)
            {
                LastError = parsed.Reason;
                return null;
            }
            if (read.IsCompleted)
            {
                LastError = "control connection closed by the FTP server";
                return null;
            }
            _reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    public ValueTask DisposeAsync() => _reader.CompleteAsync();
}
