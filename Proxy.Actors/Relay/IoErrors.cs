using System.Net.Sockets;

namespace Proxy.Actors.Relay;

/// <summary>
/// The one definition of "the connection ended under us" for the data plane: a peer reset or
/// closed, a socket or stream disposed by an abort, a cancelled wait. These are expected ends,
/// reported as values; anything else (an InvalidOperationException among them) is a bug and
/// propagates to the connection runner, which logs it as the task's reason.
/// </summary>
public static class IoErrors
{
    public static bool IsExpected(Exception e) =>
        e is IOException or SocketException or ObjectDisposedException or OperationCanceledException;
}
