using Proxy.Actors.Servers.HttpCommon;
using System.Globalization;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Ftp;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers.HttpProxy.Ftp;

/// <summary>
/// One logged-in FTP session as g3's ftp client runs it: the control connection through the
/// server's escaper, greeting, FEAT (and OPTS UTF8), USER/PASS, then one command with its
/// passive data connection (EPSV first, then PASV), also through the escaper.
/// </summary>
internal sealed class FtpSession : IAsyncDisposable
{
    private readonly ServerContext _server;
    private readonly TaskNotes _notes;
    private readonly UpstreamAddr _upstream;
    private readonly EscapeResult _control;
    private readonly FtpControlChannel _channel;
    private readonly FtpClientConfig _config;
    private FtpFeatures _features = FtpFeatures.None;
    private char _type = 'A';

    private FtpSession(ServerContext server, TaskNotes notes, UpstreamAddr upstream, EscapeResult control, FtpClientConfig config)
    {
        _server = server;
        _notes = notes;
        _upstream = upstream;
        _control = control;
        _config = config;
        _channel = new FtpControlChannel(control.Stream!, config, server.Time);
    }

    public FtpControlChannel Control => _channel;
    public FtpClientConfig Config => _config;

    /// <summary>Connects (connect_timeout), waits for the greeting (greeting_timeout) and reads the features.</summary>
    public static async Task<(FtpSession? Session, FtpStep Step, EscapeErrorKind Escape)> OpenAsync(
        ServerContext server, TaskNotes notes, UpstreamAddr upstream, FtpClientConfig config, CancellationToken ct)
    {
        var (control, timedOut) = await ConnectAsync(server, notes, upstream, config, ct).ConfigureAwait(false);
        if (timedOut) return (null, FtpStep.Fail(FtpFailure.ConnectTimedOut, "timed out connecting to the FTP server"), EscapeErrorKind.ConnectTimeout);
        if (!control.Ok) return (null, FtpStep.Fail(FtpFailure.ConnectFailed, control.Reason ?? control.Error.ToString()), control.Error);
        var session = new FtpSession(server, notes, upstream, control, config);
        var step = await session.GreetAsync(ct).ConfigureAwait(false);
        if (step.Succeeded) return (session, step, EscapeErrorKind.None);
        await session.DisposeAsync().ConfigureAwait(false);
        return (null, step, EscapeErrorKind.None);
    }

    /// <summary>A TCP connection through the escaper within connect_timeout (timedOut: the timeout, not the escaper, ended it).</summary>
    private static async Task<(EscapeResult Result, bool TimedOut)> ConnectAsync(
        ServerContext server, TaskNotes notes, UpstreamAddr target, FtpClientConfig config, CancellationToken ct)
    {
        using var limit = new CancellationTokenSource(config.ConnectTimeout, server.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        try
        {
            var result = await ServerEscape.EscapeAsync(server, new EscapeRequest(notes, target, EscapeWant.Tcp), linked.Token).ConfigureAwait(false);
            if (!result.Ok && limit.IsCancellationRequested && !ct.IsCancellationRequested) return (result, true);
            return (result, false);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return (EscapeResult.Fail(EscapeErrorKind.ConnectTimeout, "connect timed out"), true);
        }
    }

    private async Task<FtpStep> GreetAsync(CancellationToken ct)
    {
        while (true)
        {
            var greeting = await _channel.ReadAsync(_config.GreetingTimeout, ct).ConfigureAwait(false);
            if (greeting is null)
                return FtpStep.Fail(_channel.TimedOut ? FtpFailure.ConnectTimedOut : FtpFailure.BadGateway, "greeting: " + _channel.LastError);
            if (greeting.Code == 120) continue;
            if (greeting.Code == 421) return FtpStep.Fail(FtpFailure.ServiceNotAvailable, "greeting: 421");
            if (greeting.Code != 220) return Unexpected("greeting", greeting);
            break;
        }
        var feat = await _channel.CommandAsync("FEAT", null, ct).ConfigureAwait(false);
        if (feat is null) return Lost("FEAT");
        if (feat.Code == 421) return FtpStep.Fail(FtpFailure.ServiceNotAvailable, "FEAT: 421");
        _features = FtpFeatures.FromReply(feat);
        if (_features.Utf8 && await _channel.CommandAsync("OPTS", "UTF8 ON", ct).ConfigureAwait(false) is null) return Lost("OPTS UTF8");
        return FtpStep.Ok;
    }

    /// <summary>USER, then PASS when asked; g3 sends "anonymous" and "xxx" for what the request lacks.</summary>
    public async Task<FtpStep> LoginAsync(string? user, string? password, CancellationToken ct)
    {
        var reply = await _channel.CommandAsync("USER", user ?? "anonymous", ct).ConfigureAwait(false);
        if (reply is null) return Lost("USER");
        switch (reply.Code)
        {
            case 230: return FtpStep.Ok;
            case 331: break;
            case 530 or 332: return FtpStep.Fail(FtpFailure.NotLoggedIn, $"USER: {reply.Code}");
            case 421: return FtpStep.Fail(FtpFailure.ServiceNotAvailable, "USER: 421");
            default: return Unexpected("USER", reply);
        }
        reply = await _channel.CommandAsync("PASS", password ?? "xxx", ct).ConfigureAwait(false);
        if (reply is null) return Lost("PASS");
        return reply.Code switch
        {
            230 => FtpStep.Ok,
            530 or 331 or 332 => FtpStep.Fail(FtpFailure.NotLoggedIn, $"PASS: {reply.Code}"),
            421 => FtpStep.Fail(FtpFailure.ServiceNotAvailable, "PASS: 421"),
            _ => Unexpected("PASS", reply),
        };
    }

    /// <summary>SIZE when the server lists it (null: unknown, which g3 takes for "maybe a directory").</summary>
    public async Task<(long? Size, FtpStep Step)> SizeAsync(string path, CancellationToken ct)
    {
        if (!_features.Size) return (null, FtpStep.Ok);
        var reply = await _channel.CommandAsync("SIZE", path, ct).ConfigureAwait(false);
        if (reply is null) return (null, Lost("SIZE"));
        return reply.Code switch
        {
            213 when long.TryParse(reply.Text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var size) => (size, FtpStep.Ok),
            550 or 500 or 501 or 502 => (null, FtpStep.Ok),
            421 => (null, FtpStep.Fail(FtpFailure.ServiceNotAvailable, "SIZE: 421")),
            _ => (null, Unexpected("SIZE", reply)),
        };
    }

    /// <summary>DELE or RMD; 250 is done, 550/450 the path is not there.</summary>
    public async Task<FtpStep> RemoveAsync(string verb, string path, CancellationToken ct)
    {
        var reply = await _channel.CommandAsync(verb, path, ct).ConfigureAwait(false);
        if (reply is null) return Lost(verb);
        return reply.Code switch
        {
            250 => FtpStep.Ok,
            550 or 450 => FtpStep.Fail(FtpFailure.FileUnavailable, $"{verb}: {reply.Code}"),
            421 => FtpStep.Fail(FtpFailure.ServiceNotAvailable, $"{verb}: 421"),
            _ => Unexpected(verb, reply),
        };
    }

    /// <summary>
    /// Starts a transfer: TYPE, a passive data connection, then the command until its 125/150 mark.
    /// The caller moves the data, disposes the connection and calls <see cref="EndTransferAsync"/>.
    /// </summary>
    public async Task<(EscapeResult? Data, FtpStep Step)> StartTransferAsync(char type, string verb, string path, CancellationToken ct)
    {
        if (_type != type)
        {
            var t = await _channel.CommandAsync("TYPE", type == 'I' ? "I" : "A", ct).ConfigureAwait(false);
            if (t is null) return (null, Lost("TYPE"));
            if (t.Code == 421) return (null, FtpStep.Fail(FtpFailure.ServiceNotAvailable, "TYPE: 421"));
            if (t.Code != 200) return (null, Unexpected("TYPE", t));
            _type = type;
        }
        var (data, step) = await OpenDataAsync(ct).ConfigureAwait(false);
        if (data is null) return (null, step);
        var reply = await _channel.CommandAsync(verb, path, ct, preliminary: true).ConfigureAwait(false);
        step = reply switch
        {
            null => Lost(verb),
            { Code: 125 or 150 } => FtpStep.Ok,
            // g3: 450 is a missing path for all three, 550 only for RETR and STOR
            { Code: 450 } => FtpStep.Fail(FtpFailure.FileUnavailable, $"{verb}: 450"),
            { Code: 550 } when verb != "LIST" => FtpStep.Fail(FtpFailure.FileUnavailable, $"{verb}: 550"),
            { Code: 421 } => FtpStep.Fail(FtpFailure.ServiceNotAvailable, $"{verb}: 421"),
            _ => Unexpected(verb, reply),
        };
        if (step.Succeeded) return (data, step);
        await data.DisposeUpstreamAsync().ConfigureAwait(false);
        return (null, step);
    }

    /// <summary>The transfer's end reply (226/250) within <paramref name="timeout"/>.</summary>
    public async Task<FtpStep> EndTransferAsync(string verb, TimeSpan timeout, CancellationToken ct)
    {
        var reply = await _channel.ReadAsync(timeout, ct).ConfigureAwait(false);
        if (reply is null) return Lost(verb + " end");
        return reply.Code is 226 or 250 ? FtpStep.Ok : Unexpected(verb + " end", reply);
    }

    /// <summary>EPSV (when the server lists it or always_try_epsv) on the control host, else PASV on the address it names.</summary>
    private async Task<(EscapeResult? Data, FtpStep Step)> OpenDataAsync(CancellationToken ct)
    {
        if (_features.Epsv || _config.AlwaysTryEpsv)
        {
            var epsv = await _channel.CommandAsync("EPSV", null, ct).ConfigureAwait(false);
            if (epsv is null) return (null, Lost("EPSV"));
            if (epsv.Code == 421) return (null, FtpStep.Fail(FtpFailure.ServiceNotAvailable, "EPSV: 421"));
            if (epsv.Code == 229 && FtpPassive.Parse229(epsv.Text) is { } port)
                return await DataConnectAsync(_upstream with { Port = port }, ct).ConfigureAwait(false);
        }
        var pasv = await _channel.CommandAsync("PASV", null, ct).ConfigureAwait(false);
        if (pasv is null) return (null, Lost("PASV"));
        if (pasv.Code == 421) return (null, FtpStep.Fail(FtpFailure.ServiceNotAvailable, "PASV: 421"));
        if (pasv.Code != 227 || FtpPassive.Parse227(pasv.Text) is not { } at) return (null, Unexpected("PASV", pasv));
        return await DataConnectAsync(new UpstreamAddr(at.Address.ToString(), at.Port), ct).ConfigureAwait(false);
    }

    private async Task<(EscapeResult? Data, FtpStep Step)> DataConnectAsync(UpstreamAddr target, CancellationToken ct)
    {
        // The data connection is escaped as its own task step; the task line keeps the control connection's facts.
        var (peer, bound) = (_notes.NextPeerAddr, _notes.NextBoundAddr);
        var (data, timedOut) = await ConnectAsync(_server, _notes, target, _config, ct).ConfigureAwait(false);
        (_notes.NextPeerAddr, _notes.NextBoundAddr) = (peer, bound);
        if (data.Ok) return (data, FtpStep.Ok);
        _notes.Reason = null;
        return (null, FtpStep.Fail(FtpFailure.BadGateway, (timedOut ? "data connection timed out to " : "no data connection to ") + target));
    }

    private FtpStep Lost(string what) => FtpStep.Fail(FtpFailure.BadGateway, $"{what}: {_channel.LastError}");

    private static FtpStep Unexpected(string what, FtpReply reply) =>
        FtpStep.Fail(FtpFailure.BadGateway, $"{what}: unexpected reply {reply.Code.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>QUIT without waiting for the answer, then the control connection goes.</summary>
    public async ValueTask DisposeAsync()
    {
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1), _server.Time);
        try
        {
            await _channel.SendAsync("QUIT", null, quick.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // a server that does not read its control connection gets no QUIT
        }
        await _channel.DisposeAsync().ConfigureAwait(false);
        await _control.DisposeUpstreamAsync().ConfigureAwait(false);
    }
}
