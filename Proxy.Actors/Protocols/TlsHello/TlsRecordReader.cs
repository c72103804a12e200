using System.Buffers;

namespace Proxy.Actors.Protocols.TlsHello;

/// <summary>Reassembles the first handshake message from TLS records (RFC 8446 5.1): it may span many
/// records, and the records may arrive split over many segments.</summary>
internal static class TlsRecordReader
{
    public const byte HandshakeContentType = 22;
    public const int RecordHeaderLength = 5;
    public const int MaxRecordPayload = 1 << 14;
    private const int HandshakeHeaderLength = 4;

    /// <summary>Real clients use one to a few records; a caller re-parses from the start on every read, so
    /// a hello dribbled out in thousands of 1-byte records would cost quadratic work without this cap.</summary>
    public const int MaxRecords = 256;

    /// <summary>The whole first handshake message (4-byte header included), at most maxMessageSize bytes;
    /// Consumed ends at the end of the record that completes it. TooLarge as soon as the header declares more.</summary>
    public static ParseResult<byte[]> ReadFirstMessage(in ReadOnlySequence<byte> buffer, int maxMessageSize, byte expectedType)
    {
        Span<byte> header = stackalloc byte[HandshakeHeaderLength];
        Span<byte> recordHeader = stackalloc byte[RecordHeaderLength];
        var headerBytes = 0;
        var messageLength = -1;
        long collected = 0;
        long offset = 0;
        for (var records = 0; ; records++)
        {
            if (records == MaxRecords) return ParseResult<byte[]>.Invalid($"handshake message split over more than {MaxRecords} records");
            var available = buffer.Length - offset;
            var headerPart = (int)Math.Min(available, RecordHeaderLength);
            buffer.Slice(offset, headerPart).CopyTo(recordHeader);
            if (CheckRecordHeader(recordHeader[..headerPart]) is { } bad) return ParseResult<byte[]>.Invalid(bad);
            if (headerPart < RecordHeaderLength) return ParseResult<byte[]>.NeedMore;

            var recordLength = (recordHeader[3] << 8) | recordHeader[4];
            var payloadAvailable = (int)Math.Min(recordLength, available - RecordHeaderLength);
            var payload = buffer.Slice(offset + RecordHeaderLength, payloadAvailable);

            // Read the handshake header as soon as its bytes arrive, so an oversized claim is refused early.
            if (headerBytes < HandshakeHeaderLength)
            {
                var take = (int)Math.Min(HandshakeHeaderLength - headerBytes, payload.Length);
                payload.Slice(0, take).CopyTo(header[headerBytes..]);
                headerBytes += take;
                if (headerBytes == HandshakeHeaderLength)
                {
                    if (header[0] != expectedType) return ParseResult<byte[]>.Invalid($"handshake message type {header[0]}, want {expectedType}");
                    messageLength = HandshakeHeaderLength + ((header[1] << 16) | (header[2] << 8) | header[3]);
                    if (messageLength > maxMessageSize)
                        return ParseResult<byte[]>.TooLarge($"handshake message of {messageLength} bytes exceeds the bound {maxMessageSize}");
                }
            }
            if (payloadAvailable < recordLength) return ParseResult<byte[]>.NeedMore;

            collected += recordLength;
            offset += RecordHeaderLength + recordLength;
            if (messageLength >= 0 && collected >= messageLength) return ParseResult<byte[]>.Done(Gather(buffer, offset, messageLength), offset);
        }
    }

    /// <summary>Null when the (possibly partial) record header can still be a handshake record, else why not.</summary>
    private static string? CheckRecordHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length >= 1 && header[0] != HandshakeContentType) return $"record content type {header[0]}, want handshake (22)";
        if (header.Length >= 3 && (header[1] != 0x03 || header[2] > 0x04)) return $"record version {header[1]}.{header[2]} is not TLS";
        if (header.Length >= 5)
        {
            var length = (header[3] << 8) | header[4];
            if (length == 0) return "empty handshake record";
            if (length > MaxRecordPayload) return $"record of {length} bytes exceeds 2^14";
        }
        return null;
    }

    /// <summary>Copies the payloads of the records before end into one array of messageLength bytes.</summary>
    private static byte[] Gather(in ReadOnlySequence<byte> buffer, long end, int messageLength)
    {
        var message = new byte[messageLength];
        var written = 0;
        long offset = 0;
        Span<byte> lengthBytes = stackalloc byte[2];
        while (offset < end && written < messageLength)
        {
            buffer.Slice(offset + 3, 2).CopyTo(lengthBytes);
            var recordLength = (lengthBytes[0] << 8) | lengthBytes[1];
            var take = Math.Min(recordLength, messageLength - written);
            buffer.Slice(offset + RecordHeaderLength, take).CopyTo(message.AsSpan(written));
            written += take;
            offset += RecordHeaderLength + recordLength;
        }
        return message;
    }
}
