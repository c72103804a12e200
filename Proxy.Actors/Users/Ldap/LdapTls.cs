using System.DirectoryServices.Protocols;
using System.Security.Cryptography;
using System.Text;
using Proxy.Actors.Config.UserGroups;

namespace Proxy.Actors.Users.Ldap;

/// <summary>
/// TLS for ldaps:// and STARTTLS through libldap's own options: on Linux the certificate callback is not
/// honoured, so a private CA is trusted by writing it into a directory libldap reads
/// (TrustedCertificatesDirectory; Debian's libldap uses GnuTLS, which loads every file there) and
/// starting a fresh TLS context (StartNewTlsSessionContext) so the options take effect.
/// </summary>
internal static class LdapTls
{
    public static void Configure(LdapSessionOptions options, LdapUserGroupConfig config)
    {
        // These are libldap's options; Windows' LDAP client has neither (nor needs them: it honours the callback).
        if (OperatingSystem.IsWindows()) return;
        if (config.TlsClient is { CaCertificatePem: { } pem }) options.TrustedCertificatesDirectory = CaDirectory(pem);
        options.StartNewTlsSessionContext();
    }

    /// <summary>One directory per distinct CA PEM, so groups with different CAs do not mix trust.</summary>
    private static string CaDirectory(string pem)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(pem)))[..16];
        var dir = Path.Combine(Path.GetTempPath(), "g3actors-ldap-ca-" + id);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "ca.pem");
        if (!File.Exists(path)) File.WriteAllText(path, pem);
        return dir;
    }
}
