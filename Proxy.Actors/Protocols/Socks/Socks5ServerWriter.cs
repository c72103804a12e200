using System.Buffers;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Protocols.Socks;

/// <summary>Server side of SOCKS5: method selection, RFC 1929 status, and the reply.</summary>
internal static class Socks5ServerWriter
{
    private static readonly UpstreamAddr Unspecified = new("0.0.0.0", 0);

    /// <summary>VER=5 | METHOD (NoAcceptable = 0xFF tells the client to close).</summary>
    public static void WriteMethodSelection(IBufferWriter<byte> output, Socks5AuthMethod method) =>
        output.Write<byte>([Socks5Frame.Version, (byte)method]);

    /// <summary>RFC 1929 reply: VER=1 | STATUS (0 success, else failure; the server closes after a failure).</summary>
    public static void WriteCredentialsReply(IBufferWriter<byte> output, bool success) =>
        output.Write<byte>([0x01, success ? (byte)0x00 : (byte)0x01]);

    /// <summary>VER=5 | REP | RSV | BND.ADDR | BND.PORT; bound defaults to 0.0.0.0:0 (failures, or nothing to tell).</summary>
    public static void WriteReply(IBufferWriter<byte> output, Socks5ReplyCode code, UpstreamAddr? bound = null) =>
        Socks5Frame.Write(output, (byte)code, bound ?? Unspecified);
}
