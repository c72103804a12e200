namespace Proxy.Actors.Relay;

/// <summary>How one direction of a relay ended. Expected ends are values, not exceptions.</summary>
public enum PumpResult
{
    /// <summary>The source sent FIN (read returned 0).</summary>
    SourceClosed,
    SourceFailed,
    DestinationFailed,
    Cancelled,
}
