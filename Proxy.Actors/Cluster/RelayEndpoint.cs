namespace Proxy.Actors.Cluster;

/// <summary>
/// One relay another region can dial: the server's address (host:port), the TLS name to verify,
/// its load (live connections, lower is better) and the cluster member that runs it.
/// Public with a positional constructor: it crosses nodes in Akka's JSON serializer.
/// </summary>
public sealed record RelayEndpoint(string Region, string Server, string Address, string TlsName, long Load, string Member);
