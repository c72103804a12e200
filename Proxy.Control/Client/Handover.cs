using System.Net.Sockets;
using Proxy.Control.Host;

namespace Proxy.Control.Client;

/// <summary>
/// The new process's side of a hot upgrade, spoken over the old process's own socket
/// (<see cref="ProcessSocket"/>): find the process of the group that holds the shared control
/// endpoint, have it release that endpoint, then confirm (its <c>offline</c>) or abandon (its
/// <c>cancel-shutdown</c>, which takes the endpoint back).
/// </summary>
internal sealed class Handover : IAsyncDisposable
{
    private static readonly ControlClientOptions Options = new() { ReplyTimeout = TimeSpan.FromSeconds(30) };

    private readonly ControlClient _client;

    private Handover(ControlClient client, int pid, string socket, string? clusterAddress)
    {
        _client = client;
        Pid = pid;
        Socket = socket;
        ClusterAddress = clusterAddress;
    }

    public int Pid { get; }
    public string Socket { get; }
    /// <summary>The old process's cluster address (akka.tcp://G3Actors@host:port), to join when no seeds are configured.</summary>
    public string? ClusterAddress { get; }

    /// <summary>The group's process that holds the shared control endpoint, or null when none runs.</summary>
    public static async Task<Handover?> FindAsync(string directory, string group, CancellationToken ct)
    {
        foreach (var (pid, path) in ProcessSocket.Others(directory, group, Environment.ProcessId).Reverse())
        {
            ControlClient client;
            try
            {
                client = await ControlClient.ConnectAsync(new UnixDomainSocketEndPoint(path), Options, ct).ConfigureAwait(false);
            }
            catch (ControlClientException)
            {
                continue; // a process that is ending, or a stale file
            }
            try
            {
                var info = await client.RequestAsync(["process"], ct).ConfigureAwait(false);
                var fields = (info.Lines ?? []).Select(l => l.Split(": ", 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
                if (fields.TryGetValue("controller", out var controller) && controller != "released")
                    return new Handover(client, pid, path, fields.GetValueOrDefault("cluster"));
            }
            catch (ControlClientException)
            {
                // not answering: not the one to replace
            }
            await client.DisposeAsync().ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>The old process closes the shared control endpoint and waits for <see cref="ConfirmAsync"/>.</summary>
    public Task<string> ReleaseAsync(CancellationToken ct) => AskAsync("release-controller", ct);

    /// <summary>The new process holds the endpoint: the old one goes offline (drains and exits).</summary>
    public Task<string> ConfirmAsync(CancellationToken ct) => AskAsync("offline", ct);

    /// <summary>The new process cannot go on: the old one takes the endpoint back and serves on.</summary>
    public Task<string> AbandonAsync(CancellationToken ct) => AskAsync("cancel-shutdown", ct);

    /// <exception cref="ControlClientException">The old process refused or did not answer.</exception>
    private async Task<string> AskAsync(string word, CancellationToken ct)
    {
        var reply = await _client.RequestAsync([word], ct).ConfigureAwait(false);
        if (reply.Error is not null) throw new ControlClientException($"pid {Pid} refused {word}: {reply.Error}");
        return reply.Notice ?? "";
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
