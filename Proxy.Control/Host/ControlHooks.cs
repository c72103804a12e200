namespace Proxy.Control.Host;

/// <summary>What the control actor needs from the process hosting the node.</summary>
/// <param name="Version">What <c>version</c> prints.</param>
/// <param name="RequestExit">Called once <c>offline</c> has drained the node: the host leaves the cluster and exits.</param>
/// <param name="Cluster">The cluster words' view of the member (attached by the host once the cluster parts run); none: the words say so.</param>
internal sealed record ControlHooks(string Version, Action RequestExit, Proxy.Control.Fleet.ControlCluster? Cluster = null)
{
    public Proxy.Control.Fleet.ControlCluster ClusterOrEmpty { get; } = Cluster ?? new Proxy.Control.Fleet.ControlCluster();
}
