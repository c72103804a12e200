namespace Proxy.Control;

/// <summary>The pbm control plane comes with its own issue; the node already parses --control.</summary>
internal static class ControlPlaceholder { }
