using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Protocol;
using GameServer.Reporting;
using Lifetime;

namespace GameServer.Sessions;

/// <summary>
/// What every session implementation does the same way: which client frames are accepted when, and the
/// simulated work behind a request. The sessions differ only in how they hold their tokens (a
/// <see cref="LifetimeSession"/>'s owner, or an actor incarnation's).
/// </summary>
public static class SessionProtocol
{
    /// <summary>Checks a client frame against the protocol and reads its argument.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="loggedIn">Whether the client has already been welcomed.</param>
    /// <returns>The accepted command.</returns>
    /// <exception cref="ProtocolViolationException">
    /// A frame before <see cref="FrameType.Hello"/>, a second Hello, a bad payload, or a frame type a client
    /// may not send: the session closes with the exception's reason.
    /// </exception>
    public static ClientCommand Interpret(Frame frame, bool loggedIn)
    {
        if (!loggedIn && frame.Type != FrameType.Hello)
        {
            throw new ProtocolViolationException(CloseReason.NotLoggedIn, $"{frame.Type} before Hello.");
        }

        switch (frame.Type)
        {
            case FrameType.Hello:
                if (loggedIn)
                {
                    throw new ProtocolViolationException(CloseReason.AlreadyLoggedIn, "Second Hello.");
                }

                frame.ReadText(1, Frames.MaxNameBytes);
                return new(FrameType.Hello, 0);

            case FrameType.Heartbeat:
            case FrameType.Bye:
                frame.ExpectEmpty();
                return new(frame.Type, 0);

            case FrameType.Move:
                frame.ReadUInt32();
                return new(FrameType.Move, 0);

            case FrameType.LoadLevel:
                return new(FrameType.LoadLevel, frame.ReadUInt16());

            case FrameType.FindMatch:
                return new(FrameType.FindMatch, frame.ReadByte());

            default:
                throw new ProtocolViolationException(CloseReason.UnknownFrameType, $"Frame type 0x{(byte)frame.Type:X2} is not accepted from a client.");
        }
    }

    /// <summary>
    /// Renews a session's request slot for a new request, which cancels the one in flight (its cause then
    /// reads <see cref="TokenEndCause.Renewed"/>): linked to the session's lifetime, and for a match search
    /// with the match timeout as its deadline. The time the renew takes is recorded in
    /// <see cref="ServerMetrics.RenewLatency"/>.
    /// </summary>
    /// <param name="requests">The session's request slot.</param>
    /// <param name="request">A <see cref="FrameType.LoadLevel"/> or <see cref="FrameType.FindMatch"/> command.</param>
    /// <param name="matchTimeout">The server's match timeout.</param>
    /// <param name="lifetime">The session's lifetime token.</param>
    /// <param name="metrics">The server's counters.</param>
    /// <returns>The request's token.</returns>
    public static async ValueTask<CancellationToken> RenewRequestAsync(TokenSlot requests, ClientCommand request, TimeSpan matchTimeout, CancellationToken lifetime, ServerMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(metrics);
        var start = Stopwatch.GetTimestamp();
        var token = request.Type == FrameType.FindMatch
            ? await requests.RenewLinkedAfterAsync(matchTimeout, lifetime).ConfigureAwait(false)
            : await requests.RenewLinkedAsync(lifetime).ConfigureAwait(false);
        metrics.RenewLatency.RecordSince(start);
        return token;
    }

    /// <summary>
    /// The simulated work of a request: a level loads in 20–300 ms; a match search takes from a fifth to
    /// one and a half match timeouts, so about a third of the searches outlast the timeout.
    /// </summary>
    /// <param name="request">A <see cref="FrameType.LoadLevel"/> or <see cref="FrameType.FindMatch"/> command.</param>
    /// <param name="matchTimeout">The server's match timeout.</param>
    /// <param name="token">The request's token; the work stops with an <see cref="OperationCanceledException"/> when it ends.</param>
    /// <returns>The reply to send if the request is still current.</returns>
    /// <exception cref="ArgumentException"><paramref name="request"/> is not a request.</exception>
    public static async Task<OutgoingFrame> RunRequestAsync(ClientCommand request, TimeSpan matchTimeout, CancellationToken token)
    {
        // ConfigureAwait(false): an actor starts this from a handler, and it must not continue on the actor's scheduler.
        switch (request.Type)
        {
            case FrameType.LoadLevel:
                await Task.Delay(Random.Shared.Next(20, 300), token).ConfigureAwait(false);
                return Frames.LevelLoaded((ushort)request.Argument);

            case FrameType.FindMatch:
                var timeout = (int)matchTimeout.TotalMilliseconds;
                await Task.Delay(Random.Shared.Next(timeout / 5, timeout * 3 / 2), token).ConfigureAwait(false);
                return Frames.MatchFound((uint)Random.Shared.Next());

            default:
                throw new ArgumentException($"{request.Type} is not a request.", nameof(request));
        }
    }
}
