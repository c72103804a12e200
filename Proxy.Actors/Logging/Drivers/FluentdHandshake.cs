using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using MessagePack;

namespace Proxy.Actors.Logging.Drivers;

/// <summary>
/// The Forward protocol's shared-key handshake (only when <c>shared_key</c> is set): the server
/// sends HELO (nonce, auth salt), the client answers PING with
/// <c>sha512_hex(salt + hostname + nonce + shared_key)</c> and, when the server asked for user
/// auth, <c>sha512_hex(auth_salt + username + password)</c>; the server's PONG must carry
/// <c>sha512_hex(salt + server_hostname + nonce + shared_key)</c>.
/// </summary>
internal static class FluentdHandshake
{
    public static async Task<string?> RunAsync(Stream stream, string hostname, string sharedKey, string username, string password,
        CancellationToken ct)
    {
        using var reader = new MessagePackStreamReader(stream, leaveOpen: true);
        var helo = await reader.ReadAsync(ct).ConfigureAwait(false);
        if (helo is null) return "connection closed before HELO";
        if (!TryParseHelo(helo.Value, out var nonce, out var authSalt)) return "invalid HELO message";

        var salt = RandomNumberGenerator.GetBytes(16);
        var ping = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(ping);
        w.WriteArrayHeader(6);
        w.Write("PING");
        w.Write(hostname);
        w.Write(salt);
        w.Write(Digest(salt, Encoding.UTF8.GetBytes(hostname), nonce, Encoding.UTF8.GetBytes(sharedKey)));
        if (authSalt.Length == 0)
        {
            w.Write("");
            w.Write("");
        }
        else
        {
            w.Write(username);
            w.Write(Digest(authSalt, Encoding.UTF8.GetBytes(username), Encoding.UTF8.GetBytes(password)));
        }
        w.Flush();
        await stream.WriteAsync(ping.WrittenMemory, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);

        var pong = await reader.ReadAsync(ct).ConfigureAwait(false);
        if (pong is null) return "connection closed before PONG";
        var r = new MessagePackReader(pong.Value);
        if (r.ReadArrayHeader() != 5 || r.ReadString() != "PONG") return "invalid PONG message";
        var ok = r.ReadBoolean();
        var reason = r.ReadString() ?? "";
        var serverHost = r.ReadString() ?? "";
        var digest = r.ReadString() ?? "";
        if (!ok) return "server auth failed: " + reason;
        var expected = Digest(salt, Encoding.UTF8.GetBytes(serverHost), nonce, Encoding.UTF8.GetBytes(sharedKey));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(digest))
            ? null
            : "shared key digest mismatch in PONG";
    }

    private static bool TryParseHelo(ReadOnlySequence<byte> message, out byte[] nonce, out byte[] authSalt)
    {
        nonce = [];
        authSalt = [];
        var r = new MessagePackReader(message);
        if (r.ReadArrayHeader() != 2 || r.ReadString() != "HELO") return false;
        var count = r.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            var key = r.ReadString();
            switch (key)
            {
                case "nonce": nonce = Bytes(ref r); break;
                case "auth": authSalt = Bytes(ref r); break;
                default: r.Skip(); break;
            }
        }
        return true;
    }

    /// <summary>The salt fields come as str or bin depending on the server.</summary>
    private static byte[] Bytes(ref MessagePackReader r) =>
        r.NextMessagePackType == MessagePackType.String
            ? Encoding.UTF8.GetBytes(r.ReadString() ?? "")
            : r.ReadBytes()?.ToArray() ?? [];

    internal static string Digest(params byte[][] parts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        foreach (var p in parts) sha.AppendData(p);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
