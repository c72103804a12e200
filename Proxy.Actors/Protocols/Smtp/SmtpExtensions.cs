namespace Proxy.Actors.Protocols.Smtp;

/// <summary>What the server announced in its EHLO reply that changes how the session may go on.</summary>
internal sealed record SmtpServerExtensions(bool StartTls, bool Chunking, bool Burl, bool Odmr)
{
    public static readonly SmtpServerExtensions None = new(false, false, false, false);
}

/// <summary>
/// g3's EHLO filter (g3proxy inspect/smtp/initiation.rs): the extensions the interception can follow
/// pass to the client; CHUNKING/BINARYMIME, BURL and ATRN only when smtp_interception allows them,
/// STARTTLS only before TLS, and everything unknown (ENHANCEDSTATUSCODES included) is dropped.
/// </summary>
internal static class SmtpExtensions
{
    public static bool Allowed(string keyword, bool allowChunking, bool allowBurl, bool allowOdmr, bool fromStartTls) =>
        keyword.ToUpperInvariant() switch
        {
            "AUTH" or "EXPN" or "HELP" or "8BITMIME" or "SIZE" or "VERB" or "ONEX" or "DELIVERBY" or "PIPELINING" or "DSN"
                or "ETRN" or "NO-SOLICITING" or "MTRK" or "CONPERM" or "CONNEG" or "SMTPUTF8" or "MT-PRIORITY" or "RRVS"
                or "REQUIRETLS" or "LIMITS" => true,
            "CHUNKING" or "BINARYMIME" => allowChunking,
            "BURL" => allowBurl,
            "ATRN" => allowOdmr,
            "STARTTLS" => !fromStartTls,
            _ => false,
        };

    /// <summary>The keyword of one EHLO reply line (<c>250-SIZE 1000</c> gives SIZE).</summary>
    public static string Keyword(string replyLine)
    {
        var text = replyLine.Length > 4 ? replyLine[4..] : "";
        var space = text.IndexOf(' ');
        return space < 0 ? text : text[..space];
    }

    public static SmtpServerExtensions Announced(IEnumerable<string> replyLines)
    {
        var ext = SmtpServerExtensions.None;
        foreach (var line in replyLines.Skip(1))
        {
            ext = Keyword(line).ToUpperInvariant() switch
            {
                "STARTTLS" => ext with { StartTls = true },
                "CHUNKING" => ext with { Chunking = true },
                "BURL" => ext with { Burl = true },
                "ATRN" => ext with { Odmr = true },
                _ => ext,
            };
        }
        return ext;
    }
}
