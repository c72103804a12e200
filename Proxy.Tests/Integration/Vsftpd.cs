using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Proxy.Tests.Integration;

/// <summary>
/// vsftpd from Debian, run in the foreground on 127.0.0.1 with its own config: anonymous logins
/// only (so a named user is refused with 530), chrooted to a root holding a world-writable
/// <c>pub/</c> where uploads, deletes and downloads of uploaded files are allowed; one passive port.
/// </summary>
internal sealed class Vsftpd : IDisposable
{
    private const UnixFileMode Mode755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private const UnixFileMode Mode777 = Mode755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    private readonly string _dir;
    private readonly Process _process;

    public Vsftpd()
    {
        _dir = Path.Combine(Path.GetTempPath(), "g3a-ftp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir, Mode755);
        Directory.CreateDirectory(Root, Mode755);
        Directory.CreateDirectory(Pub, Mode777);
        File.SetUnixFileMode(Pub, Mode777);
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "empty"), Mode755).FullName;
        Port = FreePort();
        var pasv = FreePort();
        var conf = Path.Combine(_dir, "vsftpd.conf");
        // seccomp and the namespace isolation are off: they fail inside containers
        File.WriteAllText(conf, $"""
            listen=YES
            listen_ipv6=NO
            listen_address=127.0.0.1
            listen_port={Port}
            background=NO
            anonymous_enable=YES
            local_enable=NO
            write_enable=YES
            anon_upload_enable=YES
            anon_mkdir_write_enable=YES
            anon_other_write_enable=YES
            anon_world_readable_only=NO
            anon_umask=022
            no_anon_password=YES
            ftp_username=ftp
            anon_root={Root}
            secure_chroot_dir={empty}
            pasv_enable=YES
            pasv_min_port={pasv}
            pasv_max_port={pasv}
            pasv_address=127.0.0.1
            seccomp_sandbox=NO
            isolate=NO
            isolate_network=NO
            xferlog_enable=NO
            dirmessage_enable=NO
            connect_from_port_20=NO
            vsftpd_log_file={_dir}/vsftpd.log

            """);
        _process = Process.Start(new ProcessStartInfo("/usr/sbin/vsftpd", [conf])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        WaitListening();
    }

    public int Port { get; }
    public string Root => Path.Combine(_dir, "root");
    /// <summary>The writable directory, <c>/pub/</c> in ftp:// URIs.</summary>
    public string Pub => Path.Combine(Root, "pub");

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private void WaitListening()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"vsftpd exited with {_process.ExitCode}");
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"vsftpd did not listen on {Port}");
    }

    public void Dispose()
    {
        try { _process.Kill(entireProcessTree: true); _process.WaitForExit(10_000); } catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
