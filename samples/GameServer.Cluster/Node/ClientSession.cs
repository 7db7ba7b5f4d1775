using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;
using GameServer.Cluster.Entities;
using GameServer.Protocol;

namespace GameServer.Cluster.Node;

/// <summary>
/// One client connection on a node. It holds no game state: every frame goes to the player's entity
/// through the shard region, wherever that entity lives. Requests are not awaited by the read loop, so a
/// second request can replace the first; each is answered (<see cref="FrameType.LevelLoaded"/>) or failed
/// (<see cref="ClusterFrames.RequestFailed"/>) within the node's ask bound.
/// </summary>
internal sealed class ClientSession
{
    private readonly Socket _socket;
    private readonly IActorRef _region;
    private readonly NodeOptions _options;
    private readonly long _id;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly List<Task> _requests = new();
    private PipeWriter? _writer;
    private string? _player;
    private int _workSeed;

    public ClientSession(Socket socket, IActorRef region, NodeOptions options, long id)
    {
        _socket = socket;
        _region = region;
        _options = options;
        _id = id;
        _workSeed = (int)id;
    }

    public async Task RunAsync(CancellationToken nodeStopping)
    {
        await using var stream = new NetworkStream(_socket, ownsSocket: true);
        var reader = PipeReader.Create(stream);
        _writer = PipeWriter.Create(stream);
        try
        {
            // Whether the client or this side ended the loop makes no difference here.
            await FrameCodec.ReadFramesAsync(reader, FrameCodec.DefaultMaxFrameSize, OnFrameAsync, nodeStopping);
        }
        catch (OperationCanceledException) when (nodeStopping.IsCancellationRequested)
        {
            // Answer what is in flight first, so a client that moves to another node has lost nothing.
            await Task.WhenAll(Pending());
            await SendAsync(Frames.Goodbye(CloseReason.ServerShutdown, "node leaving"));
        }
        catch (ProtocolViolationException ex)
        {
            await SendAsync(Frames.Goodbye(ex.Reason, ex.Message));
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The client went away.
        }
        finally
        {
            // Every request is bounded by the ask timeout, so this wait is too.
            await Task.WhenAll(Pending());
            await reader.CompleteAsync();
            await _writer.CompleteAsync();
        }
    }

    private Task[] Pending()
    {
        lock (_requests)
        {
            return _requests.ToArray();
        }
    }

    private async ValueTask<bool> OnFrameAsync(Frame frame)
    {
        if (_player is null && frame.Type != FrameType.Hello)
        {
            throw new ProtocolViolationException(CloseReason.NotLoggedIn, $"{frame.Type} before Hello.");
        }

        switch (frame.Type)
        {
            case FrameType.Hello when _player is null:
                var player = frame.ReadText(1, Frames.MaxNameBytes);
                try
                {
                    await _region.Ask<LoginReply>(new Login(player), _options.AskTimeout);
                }
                catch (AskTimeoutException)
                {
                    await SendAsync(Frames.Goodbye(CloseReason.ServerShutdown, "player unavailable"));
                    return false;
                }

                _player = player;
                await SendAsync(Frames.Welcome(_id));
                return true;

            case FrameType.Hello:
                throw new ProtocolViolationException(CloseReason.AlreadyLoggedIn, "Second Hello.");

            case FrameType.Heartbeat:
                frame.ExpectEmpty();
                _region.Tell(new Touch(_player!));
                return true;

            case FrameType.LoadLevel:
                var tag = frame.ReadUInt16();
                _workSeed = unchecked((_workSeed * 1103515245) + 12345);
                var request = new PlayerRequest(_player!, tag, 10 + ((_workSeed >>> 8) % 110));
                lock (_requests)
                {
                    _requests.RemoveAll(static task => task.IsCompleted);
                    _requests.Add(RequestAsync(request));
                }

                return true;

            case FrameType.Bye:
                frame.ExpectEmpty();
                await SendAsync(Frames.Goodbye(CloseReason.ClientLeft));
                return false;

            default:
                throw new ProtocolViolationException(CloseReason.UnknownFrameType, $"Frame type 0x{(byte)frame.Type:x2} is not accepted here.");
        }
    }

    private async Task RequestAsync(PlayerRequest request)
    {
        var tag = (ushort)request.Tag;
        RequestOutcome outcome;
        try
        {
            outcome = (await _region.Ask<RequestReply>(request, _options.AskTimeout)).Outcome;
        }
        catch (AskTimeoutException)
        {
            outcome = RequestOutcome.Unanswered;
        }

        await SendAsync(outcome == RequestOutcome.Completed ? Frames.LevelLoaded(tag) : ClusterFrames.Failed(tag, outcome));
    }

    private async Task SendAsync(OutgoingFrame frame)
    {
        await _sendGate.WaitAsync();
        try
        {
            // A client that stops reading must not hold a request task (and so the node's drain) forever.
            using var bound = new CancellationTokenSource(_options.AskTimeout);
            await FrameCodec.SendAsync(_writer!, frame, bound.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The client is gone; its request was still answered by the entity.
        }
        finally
        {
            _sendGate.Release();
        }
    }
}
