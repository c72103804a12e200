using System.Net.Sockets;

namespace Proxy.Actors.Escapers.Direct;

/// <summary>Maps a failed connect to the escape error (and so the HTTP status) a client sees.</summary>
internal static class ConnectErrorClassifier
{
    public static EscapeErrorKind Classify(SocketError error) => error switch
    {
        SocketError.ConnectionRefused or SocketError.ConnectionReset => EscapeErrorKind.ConnectRefused,
        SocketError.TimedOut => EscapeErrorKind.ConnectTimeout,
        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown
            or SocketError.HostDown => EscapeErrorKind.NetworkUnreachable,
        _ => EscapeErrorKind.ConnectFailed,
    };
}
