// The tests drive Linux processes and sockets (vsftpd, unix modes, network namespaces); they run nowhere else.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
