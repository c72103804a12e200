using System.Buffers;
using System.Text;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Protocols.Socks;

/// <summary>Client side of SOCKS5 (proxy_socks5 escaper, test clients): greeting, RFC 1929 credentials, request.</summary>
internal static class Socks5ClientWriter
{
    public static void WriteGreeting(IBufferWriter<byte> output, IReadOnlyList<Socks5AuthMethod> methods)
    {
        if (methods.Count is 0 or > 255) throw new ArgumentException("a greeting offers 1..255 methods", nameof(methods));
        var span = output.GetSpan(2 + methods.Count);
        span[0] = Socks5Frame.Version;
        span[1] = (byte)methods.Count;
        for (var i = 0; i < methods.Count; i++) span[2 + i] = (byte)methods[i];
        output.Advance(2 + methods.Count);
    }

    /// <summary>VER=1 | ULEN | UNAME | PLEN | PASSWD; username 1..255 and password 0..255 UTF-8 bytes (configured values).</summary>
    public static void WriteCredentials(IBufferWriter<byte> output, string username, string password)
    {
        var user = Encoding.UTF8.GetBytes(username);
        var pass = Encoding.UTF8.GetBytes(password);
        if (user.Length is 0 or > 255) throw new ArgumentException("SOCKS5 username must be 1..255 bytes", nameof(username));
        if (pass.Length > 255) throw new ArgumentException("SOCKS5 password must be at most 255 bytes", nameof(password));
        var span = output.GetSpan(3 + user.Length + pass.Length);
        span[0] = 0x01;
        span[1] = (byte)user.Length;
        user.CopyTo(span[2..]);
        span[2 + user.Length] = (byte)pass.Length;
        pass.CopyTo(span[(3 + user.Length)..]);
        output.Advance(3 + user.Length + pass.Length);
    }

    /// <summary>VER=5 | CMD | RSV | DST; for UDP ASSOCIATE the target is where the client will send from (0.0.0.0:0 if unknown).</summary>
    public static void WriteRequest(IBufferWriter<byte> output, Socks5Command command, UpstreamAddr target) =>
        Socks5Frame.Write(output, (byte)command, target);
}
