using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Proxy.Actors.Protocols.Smtp;

namespace Proxy.Tests.Protocols.Smtp;

/// <summary>SMTP DATA as a mail and back (RFC 5321 section 4.5.2): the decoder ICAP reads and the encoder the server gets.</summary>
public sealed class SmtpDataCodingTests
{
    /// <summary>Feeds the wire bytes in pieces of <paramref name="piece"/> and reads with a buffer of <paramref name="room"/>.</summary>
    private static async Task<(string Mail, string Left, long Wire)> DecodeAsync(string wire, int piece, int room)
    {
        var pipe = new Pipe();
        var bytes = Encoding.ASCII.GetBytes(wire);
        for (var i = 0; i < bytes.Length; i += piece)
        {
            await pipe.Writer.WriteAsync(bytes.AsMemory(i, Math.Min(piece, bytes.Length - i)));
        }
        await pipe.Writer.CompleteAsync();
        using var decoder = new SmtpDataDecoder(pipe.Reader, TimeSpan.FromSeconds(30), TimeProvider.System);
        var mail = new MemoryStream();
        var buf = new byte[room];
        int n;
        while ((n = await decoder.ReadAsync(buf)) > 0) mail.Write(buf, 0, n);
        Assert.True(decoder.Ended);
        var rest = await pipe.Reader.ReadAsync();
        var left = Encoding.ASCII.GetString(rest.Buffer.ToArray());
        return (Encoding.ASCII.GetString(mail.ToArray()), left, decoder.WireBytes);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 1)]
    [InlineData(7, 5)]
    [InlineData(4096, 4096)]
    public async Task Decoder_UndoesDotStuffing_StopsAtTheTerminator_LeavesWhatFollows(int piece, int room)
    {
        const string wire = "Subject: x\r\n\r\n..leading dot\r\n.\rodd\r\nlast\r\n.\r\nQUIT\r\n";

        var (mail, left, read) = await DecodeAsync(wire, piece, room);

        Assert.Equal("Subject: x\r\n\r\n.leading dot\r\n\rodd\r\nlast\r\n", mail);
        Assert.Equal("QUIT\r\n", left);
        Assert.Equal(wire.Length - "QUIT\r\n".Length, read);
    }

    [Fact]
    public async Task Decoder_ClientThatLeavesMidMail_IsAnError()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync("no end\r\n"u8.ToArray());
        await pipe.Writer.CompleteAsync();
        using var decoder = new SmtpDataDecoder(pipe.Reader, TimeSpan.FromSeconds(30), TimeProvider.System);
        var buf = new byte[64];

        Assert.Equal(8, await decoder.ReadAtLeastAsync(buf, 8));
        await Assert.ThrowsAsync<IOException>(async () => await decoder.ReadAtLeastAsync(buf, 1));
    }

    [Theory]
    [InlineData("a\r\n.b\r\n", "a\r\n..b\r\n.\r\n")]
    [InlineData(".first\r\n", "..first\r\n.\r\n")]
    [InlineData("no final line break", "no final line break\r\n.\r\n")]
    [InlineData("", ".\r\n")]
    public async Task Encoder_StuffsDotsAndTerminates(string mail, string wire)
    {
        var output = new MemoryStream();

        var (status, written, _) = await SmtpDataEncoder.CopyAsync(new MemoryStream(Encoding.ASCII.GetBytes(mail)), output, null, CancellationToken.None);

        Assert.Equal(SmtpDataEncoder.Status.Done, status);
        Assert.Equal(wire, Encoding.ASCII.GetString(output.ToArray()));
        Assert.Equal(wire.Length, written);
    }
}
