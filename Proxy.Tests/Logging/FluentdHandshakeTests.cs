using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MessagePack;
using Proxy.Actors.Logging.Drivers;

namespace Proxy.Tests.Logging;

public sealed class FluentdHandshakeTests
{
    [Fact]
    public async Task SharedKeyAndUser_Accepted_WhenDigestsMatch()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var server = Task.Run(async () =>
        {
            using var peer = await listener.AcceptTcpClientAsync(cts.Token);
            return await ServeAsync(peer.GetStream(), "s3cret", cts.Token);
        });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);

        var error = await FluentdHandshake.RunAsync(client.GetStream(), "edge-1", "s3cret", "logger", "pw", cts.Token);

        Assert.Null(error);
        Assert.Equal("ok", await server);
        listener.Stop();
    }

    [Fact]
    public async Task WrongSharedKey_RefusedWithTheServersReason()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var server = Task.Run(async () =>
        {
            using var peer = await listener.AcceptTcpClientAsync(cts.Token);
            return await ServeAsync(peer.GetStream(), "other", cts.Token);
        });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);

        var error = await FluentdHandshake.RunAsync(client.GetStream(), "edge-1", "s3cret", "logger", "pw", cts.Token);

        Assert.Equal("server auth failed: shared key mismatch", error);
        Assert.Equal("shared key mismatch", await server);
        listener.Stop();
    }

    /// <summary>A Forward-protocol server's side of the handshake; returns "ok" or why it refused.</summary>
    internal static async Task<string> ServeAsync(Stream stream, string sharedKey, CancellationToken ct)
    {
        var nonce = "nonce-123"u8.ToArray();
        var authSalt = "salt-456"u8.ToArray();
        await stream.WriteAsync(Pack((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.Write("HELO");
            w.WriteMapHeader(3);
            w.Write("nonce"); w.Write(nonce);
            w.Write("auth"); w.Write(authSalt);
            w.Write("keepalive"); w.Write(true);
        }), ct);
        using var reader = new MessagePackStreamReader(stream, leaveOpen: true);
        var ping = new MessagePackReader((await reader.ReadAsync(ct))!.Value);
        Assert.Equal(6, ping.ReadArrayHeader());
        Assert.Equal("PING", ping.ReadString());
        var host = ping.ReadString()!;
        var salt = ping.ReadBytes()!.Value.ToArray();
        var keyDigest = ping.ReadString();
        var user = ping.ReadString();
        var passDigest = ping.ReadString();
        var key = Encoding.UTF8.GetBytes(sharedKey);
        string? refusal = null;
        if (keyDigest != Sha512Hex(salt, Encoding.UTF8.GetBytes(host), nonce, key)) refusal = "shared key mismatch";
        else if (user != "logger" || passDigest != Sha512Hex(authSalt, "logger"u8.ToArray(), "pw"u8.ToArray())) refusal = "user mismatch";
        await stream.WriteAsync(Pack((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(5);
            w.Write("PONG");
            w.Write(refusal is null);
            w.Write(refusal ?? "");
            w.Write("collector");
            w.Write(Sha512Hex(salt, "collector"u8.ToArray(), nonce, key));
        }), ct);
        return refusal ?? "ok";
    }

    internal delegate void Writes(ref MessagePackWriter writer);

    /// <summary>The writer is a struct that buffers: it must be passed by reference and flushed.</summary>
    internal static byte[] Pack(Writes write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        write(ref w);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static string Sha512Hex(params byte[][] parts) =>
        Convert.ToHexStringLower(SHA512.HashData(parts.SelectMany(p => p).ToArray()));
}
