using System.Text;

namespace Proxy.Actors.Protocols.Icap;

/// <summary>ICAP bodies are always chunked (RFC 3507 section 4.4.1); a preview that holds the whole body ends with <c>ieof</c> (4.5).</summary>
public static class IcapChunks
{
    public static readonly byte[] Last = "0\r\n\r\n"u8.ToArray();
    public static readonly byte[] LastIeof = "0; ieof\r\n\r\n"u8.ToArray();
    public static readonly byte[] Crlf = "\r\n"u8.ToArray();

    public static byte[] SizeLine(int size) => Encoding.ASCII.GetBytes(size.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n");
}
