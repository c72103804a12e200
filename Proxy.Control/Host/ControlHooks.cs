namespace Proxy.Control.Host;

/// <summary>What the control actor needs from the process hosting the node.</summary>
/// <param name="Version">What <c>version</c> prints.</param>
/// <param name="RequestExit">Called once <c>offline</c> has drained the node: the host leaves the cluster and exits.</param>
internal sealed record ControlHooks(string Version, Action RequestExit);
