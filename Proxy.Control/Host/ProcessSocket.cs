using System.Globalization;
using System.Net.Sockets;

namespace Proxy.Control.Host;

/// <summary>
/// The control socket of one process, as g3's daemons name theirs: <c>&lt;control_dir&gt;/&lt;group&gt;_&lt;pid&gt;.sock</c>.
/// No other process shares it, so during a hot upgrade the old and the new process can each be
/// reached while only one of them holds the shared <c>control.listen</c> address.
/// </summary>
internal static class ProcessSocket
{
    /// <summary>g3's order: <c>$RUNTIME_DIRECTORY</c> (systemd), else /run/g3actors if it exists, else /tmp/g3actors.</summary>
    public static string DefaultDirectory()
    {
        var runtime = Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY");
        if (!string.IsNullOrEmpty(runtime)) return runtime.Split(':')[0];
        return Directory.Exists("/run/g3actors") ? "/run/g3actors" : "/tmp/g3actors";
    }

    public static string PathFor(string directory, string group, int pid) =>
        Path.Combine(directory, $"{group}_{pid.ToString(CultureInfo.InvariantCulture)}.sock");

    /// <summary>
    /// The sockets of the group's other processes that still run, newest pid last: a hot upgrade asks
    /// each in turn which one holds the shared control endpoint.
    /// </summary>
    public static IReadOnlyList<(int Pid, string Path)> Others(string directory, string group, int selfPid)
    {
        if (!Directory.Exists(directory)) return [];
        var found = new List<(int, string)>();
        foreach (var path in Directory.EnumerateFiles(directory, group + "_*.sock"))
        {
            var middle = Path.GetFileNameWithoutExtension(path)[(group.Length + 1)..];
            if (!int.TryParse(middle, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == selfPid) continue;
            if (Directory.Exists("/proc/" + middle)) found.Add((pid, path));
        }
        return found.OrderBy(f => f.Item1).ToList();
    }

    /// <summary>Whether a listener accepts on <paramref name="path"/> (a dead process leaves its file behind).</summary>
    public static bool IsLive(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
