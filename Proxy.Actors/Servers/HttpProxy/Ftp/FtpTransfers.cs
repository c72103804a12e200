using Proxy.Actors.Servers.HttpCommon;
using Proxy.Actors.Escapers;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.HttpProxy.Ftp;

/// <summary>
/// The FTP work of one request on a logged-in session, answered as g3 does: a listing as
/// text/plain (the server's LIST lines as sent), a file as application/octet-stream with its SIZE
/// as Content-Length, an upload or a delete as an empty 200.
/// </summary>
internal sealed class FtpTransfers(HttpProxyServerContext ctx, ClientConnection client, HttpRequestHead req, TaskNotes notes, FtpSession session, bool close)
{
    private CancellationToken Token => client.Token;

    /// <summary>A 200 head went out; what follows cannot change the status.</summary>
    public bool Replied { get; private set; }
    /// <summary>The answer was framed by the close, or broke off: the connection must end.</summary>
    public bool MustClose { get; private set; }
    /// <summary>The request body was read whole (the connection is in step for another request).</summary>
    public bool BodyRead { get; private set; }

    /// <summary>g3: a path with a SIZE is a file to download, anything else is listed.</summary>
    public async Task<FtpStep> ListOrDownloadAsync(FtpRequestPath path)
    {
        if (path.Kind is FtpPathKind.AutoDetect or FtpPathKind.FileOnly)
        {
            var (size, step) = await session.SizeAsync(path.Path, Token).ConfigureAwait(false);
            if (!step.Succeeded) return step;
            if (size is { } known) return await DownloadAsync(path.Path, known).ConfigureAwait(false);
        }
        return await ListAsync(path.Path).ConfigureAwait(false);
    }

    private async Task<FtpStep> ListAsync(string path)
    {
        var (data, step) = await session.StartTransferAsync('A', "LIST", path, Token).ConfigureAwait(false);
        if (data is null) return step;
        var chunked = req.Version == 11 && !close;
        FtpCopyEnd end;
        try
        {
            if (!await HeadAsync("text/plain", chunked ? FtpHttpReply.Framing.Chunked : FtpHttpReply.Framing.UntilClose, 0).ConfigureAwait(false))
                return FtpStep.Fail(FtpFailure.BadGateway, "client gone before the listing");
            var cfg = session.Config;
            using var all = new CancellationTokenSource(cfg.ListAllTimeout, ctx.Time);
            using var read = CancellationTokenSource.CreateLinkedTokenSource(Token, all.Token);
            long copied;
            (end, copied) = await FtpDataCopy.CopyAsync(data.Stream!, new FtpBodyWriter(client, chunked, Limiter(north: false, data)), ctx.Config.TcpCopyBufferSize,
                cfg.ListMaxEntries, cfg.ListMaxLineLength, read.Token, Token).ConfigureAwait(false);
            Count(copied);
        }
        finally
        {
            await data.DisposeUpstreamAsync().ConfigureAwait(false);
        }
        return await FinishAsync("LIST", end, chunked).ConfigureAwait(false);
    }

    private async Task<FtpStep> DownloadAsync(string path, long size)
    {
        var (data, step) = await session.StartTransferAsync('I', "RETR", path, Token).ConfigureAwait(false);
        if (data is null) return step;
        FtpCopyEnd end;
        long copied;
        try
        {
            if (!await HeadAsync("application/octet-stream", FtpHttpReply.Framing.Sized, size).ConfigureAwait(false))
                return FtpStep.Fail(FtpFailure.BadGateway, "client gone before the file");
            (end, copied) = await FtpDataCopy.CopyAsync(data.Stream!, new FtpBodyWriter(client, chunked: false, Limiter(north: false, data)), ctx.Config.TcpCopyBufferSize,
                null, 0, Token, Token).ConfigureAwait(false);
            Count(copied);
        }
        finally
        {
            await data.DisposeUpstreamAsync().ConfigureAwait(false);
        }
        if (end == FtpCopyEnd.Done && copied != size)
        {
            MustClose = true;
            return FtpStep.Fail(FtpFailure.BadGateway, $"RETR sent {copied} bytes of {size}");
        }
        return await FinishAsync("RETR", end, chunked: false).ConfigureAwait(false);
    }

    public async Task<FtpStep> UploadAsync(FtpRequestPath path, BodyFraming framing)
    {
        var (data, step) = await session.StartTransferAsync('I', "STOR", path.Path, Token).ConfigureAwait(false);
        if (data is null) return step;
        BodyCopyResult copy;
        try
        {
            // g3 sends 100 Continue once the server took the STOR
            if (req.Version == 11 && req.Headers.Get("Expect") is { } expect && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase)
                && !await FtpHttpReply.ContinueAsync(client, Token).ConfigureAwait(false))
                return FtpStep.Fail(FtpFailure.BadGateway, "client gone before its body");
            notes.Stage = "Relaying";
            copy = await BodyForwarder.CopyAsync(framing, client.Reader, data.Stream!, decodeChunked: true, ctx.Config.BodyLineMaxLength,
                Limiter(north: true, data), client.Activity, Token).ConfigureAwait(false);
            notes.Bytes.ClientRead += copy.Read;
            notes.Bytes.RemoteWritten += copy.Written;
        }
        finally
        {
            await data.DisposeUpstreamAsync().ConfigureAwait(false);
        }
        BodyRead = copy.Ok;
        if (!copy.Ok) return FtpStep.Fail(FtpFailure.BadGateway, $"upload ended early: {copy.Status}");
        step = await session.EndTransferAsync("STOR", session.Config.CommandTimeout, Token).ConfigureAwait(false);
        if (!step.Succeeded) return step;
        return await HeadAsync(null, FtpHttpReply.Framing.Sized, 0).ConfigureAwait(false)
            ? FtpStep.Ok
            : FtpStep.Fail(FtpFailure.BadGateway, "client gone before the reply");
    }

    /// <summary>g3: a directory path is RMD, a file DELE; otherwise a SIZE says it is a file.</summary>
    public async Task<FtpStep> DeleteAsync(FtpRequestPath path)
    {
        var verb = path.Kind switch
        {
            FtpPathKind.ListOnly => "RMD",
            FtpPathKind.FileOnly => "DELE",
            _ => null,
        };
        if (verb is null)
        {
            var (size, sized) = await session.SizeAsync(path.Path, Token).ConfigureAwait(false);
            if (!sized.Succeeded) return sized;
            verb = size is null ? "RMD" : "DELE";
        }
        var step = await session.RemoveAsync(verb, path.Path, Token).ConfigureAwait(false);
        if (!step.Succeeded) return step;
        return await HeadAsync(null, FtpHttpReply.Framing.Sized, 0).ConfigureAwait(false)
            ? FtpStep.Ok
            : FtpStep.Fail(FtpFailure.BadGateway, "client gone before the reply");
    }

    private async Task<bool> HeadAsync(string? contentType, FtpHttpReply.Framing framing, long length)
    {
        notes.Stage = "Replying";
        MustClose = close || framing == FtpHttpReply.Framing.UntilClose;
        if (!await FtpHttpReply.OkAsync(client, req.Version, MustClose, contentType, framing, length, Token).ConfigureAwait(false))
        {
            MustClose = true;
            return false;
        }
        Replied = true;
        notes.RspStatus = 200;
        notes.ReadyTime = ctx.Time.GetElapsedTime(notes.CreatedTimestamp);
        notes.Stage = "Relaying";
        return true;
    }

    /// <summary>After the data: the server's end reply within end_wait_timeout, then the last chunk.</summary>
    private async Task<FtpStep> FinishAsync(string verb, FtpCopyEnd end, bool chunked)
    {
        if (end != FtpCopyEnd.Done)
        {
            MustClose = true;
            return FtpStep.Fail(FtpFailure.BadGateway, $"{verb} data: {end}");
        }
        var step = await session.EndTransferAsync(verb, session.Config.EndWaitTimeout, Token).ConfigureAwait(false);
        if (!step.Succeeded)
        {
            // the body is complete but the server did not confirm it: end without the last chunk
            MustClose = true;
            return step;
        }
        if (!await new FtpBodyWriter(client, chunked).EndAsync(Token).ConfigureAwait(false))
        {
            MustClose = true;
            return FtpStep.Fail(FtpFailure.BadGateway, "client gone at the end");
        }
        return FtpStep.Ok;
    }

    /// <summary>The server's, the data connection's and the user's socket limits (and the user's shared bucket), as on forwards.</summary>
    private SpeedLimiter? Limiter(bool north, EscapeResult data)
    {
        var server = ctx.Config.TcpSockSpeedLimit;
        return (client.User?.User, north) switch
        {
            ({ } u, true) => SpeedLimiter.North(server, data.SpeedLimit, u.TcpSockSpeedLimit, u.TcpAllUpload, ctx.Time),
            ({ } u, false) => SpeedLimiter.South(server, data.SpeedLimit, u.TcpSockSpeedLimit, u.TcpAllDownload, ctx.Time),
            (null, true) => SpeedLimiter.North(server, data.SpeedLimit, ctx.Time),
            (null, false) => SpeedLimiter.South(server, data.SpeedLimit, ctx.Time),
        };
    }

    private void Count(long copied)
    {
        notes.Bytes.RemoteRead += copied;
        notes.Bytes.ClientWritten += copied;
    }
}
