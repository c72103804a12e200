using Proxy.Control.Client;

namespace Proxy.Node;

/// <summary>
/// <c>--upgrade</c>, g3's nginx-like hot upgrade from the new process's side: find the group's
/// running process over its own socket, start this node next to it (same listening ports through
/// SO_REUSEPORT, its own cluster port, the old one's cluster), take the shared control endpoint it
/// releases, then tell it to go offline. Until the confirmation the old process can take everything back.
/// </summary>
internal static class HotUpgrade
{
    /// <summary>How long the released control endpoint may take to become free.</summary>
    private static readonly TimeSpan BindWithin = TimeSpan.FromSeconds(5);

    /// <summary>The process to take over and the options that start this one beside it; the options unchanged when none runs.</summary>
    public static async Task<(Handover? Old, NodeOptions Options)> PrepareAsync(NodeOptions options, TextWriter stdout, CancellationToken ct)
    {
        if (!options.Upgrade || options.ControlDir is not { } dir) return (null, options);
        var old = await Handover.FindAsync(dir, options.GroupName, ct).ConfigureAwait(false);
        if (old is null)
        {
            await stdout.WriteLineAsync($"upgrade: no running process of group '{options.GroupName}' in {dir}; starting normally").ConfigureAwait(false);
            return (null, options);
        }
        await stdout.WriteLineAsync($"upgrade: taking over from pid {old.Pid} ({old.Socket})").ConfigureAwait(false);
        // The old process keeps its cluster port while it drains: this one takes a free one unless told otherwise.
        return (old, options with { DeferControl = true, ClusterPort = options.ClusterPort ?? 0, JoinAddress = old.ClusterAddress });
    }

    /// <returns>null when this process now holds the control endpoint; else why not (the old one serves on).</returns>
    public static async Task<string?> TakeOverAsync(NodeHost node, Handover old, TextWriter stdout, CancellationToken ct)
    {
        await using (old.ConfigureAwait(false))
        {
            try
            {
                await stdout.WriteLineAsync($"upgrade: pid {old.Pid}: " + await old.ReleaseAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
            }
            catch (ControlClientException e)
            {
                return e.Message;
            }
            if (await node.TakeControlAsync(BindWithin, ct).ConfigureAwait(false) is { } error)
            {
                try { await old.AbandonAsync(ct).ConfigureAwait(false); }
                catch (ControlClientException) { /* it takes the endpoint back by itself once its confirm wait passes */ }
                return error;
            }
            try
            {
                await stdout.WriteLineAsync($"upgrade: pid {old.Pid}: " + await old.ConfirmAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
            }
            catch (ControlClientException e)
            {
                // This process serves and holds the endpoint either way; the old one resumes only its own control socket.
                await stdout.WriteLineAsync("upgrade: warning: " + e.Message).ConfigureAwait(false);
            }
            return null;
        }
    }
}
