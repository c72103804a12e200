using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// Why g3's tls_ticketer (rolling session ticket keys, local or shared through redis) is refused on
/// every TLS server: SslStream cannot be given ticket keys (docs/audit.md, "TLS session tickets").
/// </summary>
internal static class TlsTicketerRefusal
{
    public const string Reason =
        "SslStream cannot be given TLS session ticket keys: .NET 10 exposes no SSL_CTX or SSL handle and no ticket key callback, "
        + "and SslServerAuthenticationOptions.AllowTlsResume only turns resumption with OpenSSL's own per-process keys on or off";

    public static NotSupportedYetException At(string key, YamlNode keyNode) => new($"{key} ({Reason})", keyNode);
}
