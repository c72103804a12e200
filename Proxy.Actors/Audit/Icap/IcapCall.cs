using System.Net;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Icap;

/// <summary>
/// Who one adaptation is for and how long it may wait. <see cref="Wait"/> bounds every wait on the
/// ICAP server in the exchange: the connect and OPTIONS of a new connection, each response head,
/// the encapsulated heads. <see cref="SharedHeaders"/> go into a RESPMOD request (respond_shared_names).
/// </summary>
public sealed record IcapCall(IPEndPoint? Client, string? Username, TimeSpan Wait)
{
    public IReadOnlyList<KeyValuePair<string, string>> SharedHeaders { get; init; } = [];
    /// <summary>Told of body traffic, so a long adaptation is not taken for an idle task.</summary>
    public ActivityTracker? Activity { get; init; }
    /// <summary>What the message was converted from (g3's <c>X-Transformed-From</c>: <c>HTTP/2.0</c>, <c>SMTP</c>, <c>IMAP</c>).</summary>
    public string? TransformedFrom { get; init; }
    /// <summary>The whole body goes without a Preview whatever the service offers (g3 adapts mail so: SMTP DATA, IMAP APPEND).</summary>
    public bool NoPreview { get; init; }
}
