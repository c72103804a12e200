using System.Buffers;
using System.Net;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Protocols.Socks;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.Socks;

/// <summary>The replies a socks_proxy sends, and the code for each way an upstream could not be had.</summary>
internal static class SocksReplies
{
    /// <summary>g3's mapping of connect errors to SOCKS5 reply codes (module/tcp_connect/error.rs).</summary>
    public static Socks5ReplyCode For(EscapeErrorKind kind) => kind switch
    {
        EscapeErrorKind.ForbiddenByRule => Socks5ReplyCode.NotAllowedByRuleset,
        EscapeErrorKind.ResolveFailed => Socks5ReplyCode.HostUnreachable,
        EscapeErrorKind.ConnectRefused or EscapeErrorKind.PeerRefused => Socks5ReplyCode.ConnectionRefused,
        EscapeErrorKind.ConnectTimeout => Socks5ReplyCode.ConnectionTimedOut,
        EscapeErrorKind.NetworkUnreachable => Socks5ReplyCode.NetworkUnreachable,
        EscapeErrorKind.NotSupported => Socks5ReplyCode.CommandNotSupported,
        // EscaperNotUsable, TlsHandshakeFailed, ConnectFailed: g3's GeneralServerFailure
        _ => Socks5ReplyCode.GeneralFailure,
    };

    /// <summary>A SOCKS5 reply; a v4-mapped bound address goes out as IPv4, as g3 writes it.</summary>
    public static byte[] V5(Socks5ReplyCode code, IPEndPoint? bound = null)
    {
        var writer = new ArrayBufferWriter<byte>(32);
        UpstreamAddr? addr = bound is null ? null : new UpstreamAddr(Plain(bound.Address).ToString(), bound.Port);
        Socks5ServerWriter.WriteReply(writer, code, addr);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The RFC 1929 status: 0 success, 1 failure (the server then closes).</summary>
    public static byte[] Credentials(bool success)
    {
        var writer = new ArrayBufferWriter<byte>(2);
        Socks5ServerWriter.WriteCredentialsReply(writer, success);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] V4(Socks4ReplyCode code)
    {
        var writer = new ArrayBufferWriter<byte>(8);
        Socks4ReplyWriter.Write(writer, code);
        return writer.WrittenSpan.ToArray();
    }

    public static IPAddress Plain(IPAddress ip) => ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;

    /// <summary>Writes a reply; false when the client is gone (the caller ends the task).</summary>
    public static async ValueTask<bool> SendAsync(Stream stream, byte[] reply, TaskBytes bytes, CancellationToken ct)
    {
        try
        {
            await stream.WriteAsync(reply, ct).ConfigureAwait(false);
            bytes.ClientWritten += reply.Length;
            return true;
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            return false;
        }
    }
}
