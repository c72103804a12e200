using System.Net;
using System.Net.Sockets;

using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.Common;

/// <summary>
/// What every server handler gets: the stream it speaks its protocol over, the socket under it
/// where there is one (half-close, options; null over an in-memory transport), and the
/// connection's facts. Steps in front of a server (PROXY header, TLS) hand on a new transport
/// over the same socket.
/// </summary>
public sealed class ClientTransport
{
    public ClientTransport(Stream stream, Socket? socket, ConnectionFacts facts)
    {
        Stream = stream;
        Socket = socket;
        Facts = facts;
    }

    public Stream Stream { get; }
    public Socket? Socket { get; }
    public ConnectionFacts Facts { get; }

    /// <summary>An accepted TCP connection.</summary>
    public static ClientTransport FromSocket(Socket socket) =>
        new(new NetworkStream(socket, ownsSocket: false), socket,
            new ConnectionFacts(socket.LocalEndPoint as IPEndPoint, socket.RemoteEndPoint as IPEndPoint));

    /// <summary>The same connection over another stream (TLS on top, bytes already read put back).</summary>
    public ClientTransport With(Stream stream, ConnectionFacts? facts = null) => new(stream, Socket, facts ?? Facts);

    /// <summary>Bytes a step read ahead go first; nothing changes when there are none.</summary>
    public ClientTransport WithPrefix(ReadOnlyMemory<byte> prefix, ConnectionFacts? facts = null) =>
        prefix.IsEmpty ? With(Stream, facts) : With(new PrefixedStream(prefix, Stream), facts);

    /// <summary>Ends the connection at once (abort): pending reads and writes fail.</summary>
    public void Abort()
    {
        if (Socket is not null) Socket.Dispose();
        else Stream.Dispose();
    }
}
