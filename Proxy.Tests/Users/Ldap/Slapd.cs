using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Users.Ldap;

/// <summary>
/// Debian's slapd started for one test class with its own slapd.conf in a temp folder: an mdb database
/// for dc=example,dc=com on 127.0.0.1 (ldap:// with STARTTLS and ldaps://), a test CA for TLS, and
/// users added with ldapadd. Stopped (and its folder removed) on dispose.
/// </summary>
public sealed class Slapd : IDisposable
{
    public const string BaseDn = "ou=people,dc=example,dc=com";
    private const string RootPw = "rootsecret";
    private readonly Process _process;
    private readonly string _dir;

    public Slapd()
    {
        _dir = Directory.CreateTempSubdirectory("g3a-slapd-").FullName;
        var certs = new TestCertificates();
        CaPem = certs.CaPem;
        File.WriteAllText(Path.Combine(_dir, "ca.pem"), certs.CaPem);
        File.WriteAllText(Path.Combine(_dir, "cert.pem"), certs.ServerCertificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "key.pem"), certs.ServerCertificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        Directory.CreateDirectory(Path.Combine(_dir, "db"));
        File.WriteAllText(Path.Combine(_dir, "slapd.conf"), $"""
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/nis.schema
            include /etc/ldap/schema/inetorgperson.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            pidfile {_dir}/slapd.pid
            TLSCACertificateFile {_dir}/ca.pem
            TLSCertificateFile {_dir}/cert.pem
            TLSCertificateKeyFile {_dir}/key.pem
            database mdb
            maxsize 10485760
            suffix "dc=example,dc=com"
            rootdn "cn=admin,dc=example,dc=com"
            rootpw {RootPw}
            directory {_dir}/db
            """);
        LdapPort = FreePort();
        LdapsPort = FreePort();
        _process = Process.Start(new ProcessStartInfo("/usr/sbin/slapd",
            ["-d", "0", "-f", Path.Combine(_dir, "slapd.conf"), "-h", $"ldap://127.0.0.1:{LdapPort}/ ldaps://127.0.0.1:{LdapsPort}/"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        WaitListening(LdapPort);
        WaitListening(LdapsPort);
        Add("""
            dn: dc=example,dc=com
            objectClass: dcObject
            objectClass: organization
            o: Example
            dc: example

            dn: ou=people,dc=example,dc=com
            objectClass: organizationalUnit
            ou: people
            """);
    }

    public int LdapPort { get; }
    public int LdapsPort { get; }
    public string CaPem { get; }

    /// <summary>Adds an inetOrgPerson with uid and cn set to <paramref name="uid"/> (ldapadd as the root DN).</summary>
    public void AddUser(string uid, string password) => Add($"""
        dn: uid={uid},{BaseDn}
        objectClass: inetOrgPerson
        uid: {uid}
        cn: {uid}
        sn: {uid}
        userPassword: {password}
        """);

    public void SetPassword(string uid, string password) => Add($"""
        dn: uid={uid},{BaseDn}
        changetype: modify
        replace: userPassword
        userPassword: {password}
        """, "ldapmodify");

    private void Add(string ldif, string tool = "ldapadd")
    {
        var psi = new ProcessStartInfo(tool, ["-x", "-H", $"ldap://127.0.0.1:{LdapPort}", "-D", "cn=admin,dc=example,dc=com", "-w", RootPw])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(ldif.ReplaceLineEndings("\n") + "\n");
        p.StandardInput.Close();
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(20_000) || p.ExitCode != 0) throw new InvalidOperationException($"{tool} failed: {err.Result}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private void WaitListening(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"slapd exited with {_process.ExitCode}");
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"slapd did not listen on {port}");
    }

    public void Dispose()
    {
        try { _process.Kill(); _process.WaitForExit(10_000); } catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
