using System;
using System.IO;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using GameServer.Protocol;
using GameServer.Server;
using Lifetime;

namespace GameServer.Sessions;

/// <summary>
/// A session's outgoing frames and the loop that writes them: an unbounded queue whose length is capped by
/// <see cref="GameServerOptions.OutboxCapacity"/> (a client that lets more pile up is closed as a slow
/// consumer), and a write loop that flushes under a write watchdog, a <see cref="TokenSlot"/> touched to
/// <see cref="GameServerOptions.WriteTimeout"/> before each flush and disarmed after it.
/// </summary>
/// <remarks>
/// <see cref="Enqueue"/>, <see cref="Close"/> and <see cref="Complete"/> may be called from any thread. The
/// write loop is the queue's only reader and the watchdog slot's only user. The outbox never closes the
/// session itself: it asks through the callback given to the constructor, which may run on the write loop.
/// </remarks>
public sealed class SessionOutbox
{
    private readonly Channel<OutgoingFrame> _frames = Channel.CreateUnbounded<OutgoingFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TokenSlot _watchdog;
    private readonly GameServerOptions _options;
    private readonly Action<CloseReason> _requestClose;
    private int _pending;

    /// <summary>Creates an empty, open outbox; <see cref="RunWriteLoopAsync"/> writes it out.</summary>
    /// <param name="watchdog">
    /// The slot for the write watchdog, used only by the write loop. The outbox neither retires it nor
    /// disposes its owner: the disposal of that owner, by the session, ends it.
    /// </param>
    /// <param name="options">The server settings (outbox capacity, write timeout).</param>
    /// <param name="requestClose">
    /// Asks the session to close: <see cref="CloseReason.SlowConsumer"/> when the queue is full or a flush
    /// outlives the write timeout, <see cref="CloseReason.ClientDisconnected"/> when the connection fails.
    /// Called from <see cref="Enqueue"/>'s caller or from the write loop, possibly more than once.
    /// </param>
    public SessionOutbox(TokenSlot watchdog, GameServerOptions options, Action<CloseReason> requestClose)
    {
        ArgumentNullException.ThrowIfNull(watchdog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(requestClose);
        _watchdog = watchdog;
        _options = options;
        _requestClose = requestClose;
    }

    /// <summary>
    /// Queues a frame to the client. When <see cref="GameServerOptions.OutboxCapacity"/> frames are waiting
    /// already, the frame is dropped and the session is asked to close as a slow consumer. After
    /// <see cref="Close"/> or <see cref="Complete"/>, the frame is dropped.
    /// </summary>
    /// <param name="frame">The frame.</param>
    public void Enqueue(OutgoingFrame frame)
    {
        if (Interlocked.Increment(ref _pending) > _options.OutboxCapacity)
        {
            Interlocked.Decrement(ref _pending);
            _requestClose(CloseReason.SlowConsumer);
            return;
        }

        if (!_frames.Writer.TryWrite(frame))
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>
    /// Queues the goodbye for <paramref name="reason"/> (none for <see cref="CloseReason.ClientDisconnected"/>:
    /// the client is gone) behind the frames already queued, then completes the outbox, so that the write loop
    /// flushes them all and ends. The goodbye does not count against the capacity. After the outbox is
    /// complete, this does nothing.
    /// </summary>
    /// <param name="reason">Why the session closes.</param>
    /// <param name="text">An optional explanation for the goodbye.</param>
    public void Close(CloseReason reason, string? text)
    {
        if (reason != CloseReason.ClientDisconnected)
        {
            _frames.Writer.TryWrite(Frames.Goodbye(reason, text));
        }

        _frames.Writer.TryComplete();
    }

    /// <summary>Completes the outbox without a goodbye: the write loop flushes what is queued and ends. Idempotent.</summary>
    public void Complete() => _frames.Writer.TryComplete();

    /// <summary>
    /// Runs the write loop, once per outbox: renews the watchdog, then writes every queued frame and flushes
    /// each batch under the write timeout, until the outbox is complete and empty or the client stops
    /// reading. A flush that outlives the write timeout asks to close as
    /// <see cref="CloseReason.SlowConsumer"/>; a failed connection as <see cref="CloseReason.ClientDisconnected"/>.
    /// </summary>
    /// <param name="writer">The connection's writer; the loop leaves it open (see <see cref="CompleteQuietlyAsync"/>).</param>
    /// <returns>A task that completes when the loop has ended; it does not fault for a slow or vanished client.</returns>
    public async Task RunWriteLoopAsync(PipeWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var frames = _frames.Reader;
        try
        {
            // A watchdog token: no deadline between flushes, the write timeout during each one.
            var watchdog = await _watchdog.RenewAsync();
            while (await frames.WaitToReadAsync())
            {
                while (frames.TryRead(out var frame))
                {
                    Interlocked.Decrement(ref _pending);
                    FrameCodec.Write(writer, frame);
                }

                await _watchdog.TouchAsync(_options.WriteTimeout);
                var result = await writer.FlushAsync(watchdog);
                await _watchdog.TouchAsync(Timeout.InfiniteTimeSpan);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            _requestClose(CloseReason.SlowConsumer);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            _requestClose(CloseReason.ClientDisconnected);
        }
    }

    /// <summary>
    /// Completes a session's writer after its write loop has ended, which flushes whatever a failed loop left
    /// buffered; a client that is gone by then is ignored.
    /// </summary>
    /// <param name="writer">The writer.</param>
    /// <returns>A task that completes when the writer is complete; it does not fault for a vanished client.</returns>
    public static async Task CompleteQuietlyAsync(PipeWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        try
        {
            await writer.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // Nobody left to read it.
        }
    }
}
