using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace GameServer.Server;

/// <summary>
/// Runs the session of one accepted connection. The listener, protocol, bots and report do not depend
/// on how sessions are implemented: this sample's sessions are Lifetime owners
/// (<see cref="Sessions.LifetimeSessionHandler"/>); an actor-based handler can be swapped in.
/// </summary>
public interface IConnectionHandler
{
    /// <summary>Runs a session until it closes; the handler owns <paramref name="socket"/> and must close it.</summary>
    /// <param name="socket">The accepted connection.</param>
    /// <param name="serverToken">Cancelled when the server shuts down: the session must say goodbye and close.</param>
    /// <returns>A task that completes when the session has closed and released everything it held.</returns>
    Task RunSessionAsync(Socket socket, CancellationToken serverToken);
}
