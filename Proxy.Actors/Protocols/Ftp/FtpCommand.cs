using System.Text;

namespace Proxy.Actors.Protocols.Ftp;

/// <summary>FTP commands as bytes: <c>VERB arg\r\n</c>. An argument with CR or LF would inject a second command: refused.</summary>
internal static class FtpCommand
{
    public static byte[]? Format(string verb, string? argument = null)
    {
        if (argument is not null && argument.AsSpan().IndexOfAny('\r', '\n') >= 0) return null;
        return Encoding.UTF8.GetBytes(argument is null ? verb + "\r\n" : verb + " " + argument + "\r\n");
    }
}
