using System;
using System.Net.Sockets;

namespace GameServer.Sessions;

/// <summary>Socket teardown shared by the session implementations.</summary>
public static class SessionSocket
{
    /// <summary>
    /// Shuts a session's socket down both ways and disposes it; a socket the client already reset, or one
    /// already disposed, is disposed all the same.
    /// </summary>
    /// <param name="socket">The socket.</param>
    public static void Close(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already reset by the client.
        }

        socket.Dispose();
    }
}
