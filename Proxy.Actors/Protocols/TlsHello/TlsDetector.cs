namespace Proxy.Actors.Protocols.TlsHello;

/// <summary>Whether the first bytes of a connection are a TLS handshake record carrying a ClientHello.</summary>
internal enum TlsDetection
{
    NeedMore,
    Tls,
    NotTls,
}

/// <summary>Cheap protocol detection from up to 6 bytes: type 22, version 3.0..3.4, sane length, ClientHello.</summary>
internal static class TlsDetector
{
    public const int BytesNeeded = 6;

    public static TlsDetection Detect(ReadOnlySpan<byte> first)
    {
        if (first.Length >= 1 && first[0] != TlsRecordReader.HandshakeContentType) return TlsDetection.NotTls;
        if (first.Length >= 2 && first[1] != 0x03) return TlsDetection.NotTls;
        if (first.Length >= 3 && first[2] > 0x04) return TlsDetection.NotTls;
        if (first.Length >= 5)
        {
            var length = (first[3] << 8) | first[4];
            if (length is 0 or > TlsRecordReader.MaxRecordPayload) return TlsDetection.NotTls;
        }
        if (first.Length >= 6 && first[5] != ClientHelloParser.ClientHelloType) return TlsDetection.NotTls;
        return first.Length >= BytesNeeded ? TlsDetection.Tls : TlsDetection.NeedMore;
    }
}
