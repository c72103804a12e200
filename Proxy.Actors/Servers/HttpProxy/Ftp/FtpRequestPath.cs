using Proxy.Actors.Servers.HttpCommon;
using System.Text;

namespace Proxy.Actors.Servers.HttpProxy.Ftp;

/// <summary>What an ftp:// path asks for, as g3 reads it (module/ftp_over_http/path.rs).</summary>
internal enum FtpPathKind
{
    /// <summary>No path: the login directory, listed.</summary>
    DefaultDir,
    /// <summary>A trailing '/' or <c>;type=d</c>: a directory.</summary>
    ListOnly,
    /// <summary><c>;type=a</c> or <c>;type=i</c>: a file.</summary>
    FileOnly,
    /// <summary>Anything else: SIZE decides (a size is a file, none a directory).</summary>
    AutoDetect,
}

internal sealed record FtpRequestPath(FtpPathKind Kind, string Path)
{
    /// <summary>
    /// The URI path without its leading slashes (relative to the login directory, as g3 sends it),
    /// each segment percent-decoded; the RFC 1738 <c>;type=</c> parameter picks the kind.
    /// </summary>
    public static FtpRequestPath Parse(string uriPath)
    {
        var query = uriPath.IndexOf('?');
        if (query >= 0) uriPath = uriPath[..query];
        var semi = uriPath.IndexOf(';');
        var param = semi >= 0 ? uriPath[(semi + 1)..] : "";
        var raw = semi >= 0 ? uriPath[..semi] : uriPath;
        var path = string.Join('/', raw.Split('/').SkipWhile(s => s.Length == 0).Select(Decode));
        if (path.Length == 0) return new(FtpPathKind.DefaultDir, ".");
        return param switch
        {
            "type=a" or "type=i" => new(FtpPathKind.FileOnly, path),
            "type=d" => new(FtpPathKind.ListOnly, path),
            _ when path.EndsWith('/') => new(FtpPathKind.ListOnly, path.TrimEnd('/') is { Length: > 0 } dir ? dir : path),
            _ => new(FtpPathKind.AutoDetect, path),
        };
    }

    /// <summary>Percent-decoding as UTF-8, invalid sequences replaced (g3's decode_utf8_lossy).</summary>
    internal static string Decode(string segment) =>
        segment.Contains('%') ? Uri.UnescapeDataString(segment) : segment;
}
