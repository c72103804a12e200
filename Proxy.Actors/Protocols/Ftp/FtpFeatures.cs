namespace Proxy.Actors.Protocols.Ftp;

/// <summary>What a server's FEAT reply (RFC 2389) says it supports, of what the client uses.</summary>
internal sealed record FtpFeatures(bool Epsv, bool Size, bool Mdtm, bool Mlst, bool Utf8)
{
    public static readonly FtpFeatures None = new(false, false, false, false, false);

    /// <summary>From a 211 reply: one feature per indented line between the first and the last.</summary>
    public static FtpFeatures FromReply(FtpReply reply)
    {
        if (reply.Code != 211) return None;
        var names = reply.Lines.Skip(1).Take(Math.Max(0, reply.Lines.Count - 2))
            .Select(l => l.Trim().Split(' ', 2)[0].ToUpperInvariant())
            .ToHashSet(StringComparer.Ordinal);
        return new FtpFeatures(names.Contains("EPSV"), names.Contains("SIZE"), names.Contains("MDTM"), names.Contains("MLST"), names.Contains("UTF8"));
    }
}
