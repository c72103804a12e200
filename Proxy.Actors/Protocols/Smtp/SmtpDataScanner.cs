namespace Proxy.Actors.Protocols.Smtp;

/// <summary>
/// Finds the end of SMTP DATA (RFC 5321 section 4.5.2: a line holding only "."), chunk by chunk, so
/// the mail passes through as it arrives and nothing after the terminator is taken as mail.
/// </summary>
internal struct SmtpDataScanner
{
    // 0 mid-line, 1 saw CR, 2 at a line start, 3 "." at a line start, 4 then CR, 5 the end
    private int _state = 2;

    public SmtpDataScanner() { }

    public readonly bool Done => _state == 5;

    /// <summary>How many bytes of <paramref name="chunk"/> belong to the mail (the terminator included); all of it while not <see cref="Done"/>.</summary>
    public int Scan(ReadOnlySpan<byte> chunk)
    {
        for (var i = 0; i < chunk.Length; i++)
        {
            var b = chunk[i];
            _state = (_state, b) switch
            {
                (3, (byte)'\r') => 4,
                (_, (byte)'\r') => 1,
                (1, (byte)'\n') => 2,
                (2, (byte)'.') => 3,
                (4, (byte)'\n') => 5,
                _ => 0,
            };
            if (_state == 5) return i + 1;
        }
        return chunk.Length;
    }
}
