using System;
using System.Buffers;
using System.IO;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using GameServer.Protocol;

namespace GameServer.Akka.Tests;

/// <summary>A raw loopback client (as in GameServer.Tests). Every wait is bounded.</summary>
internal sealed class TestClient : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;

    private TestClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
    }

    public static async Task<TestClient> ConnectAsync(IPEndPoint server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server).WaitAsync(s_timeout);
        return new TestClient(socket);
    }

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes).AsTask().WaitAsync(s_timeout);

    public async Task SendAsync(OutgoingFrame frame)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameCodec.Write(buffer, frame);
        await SendRawAsync(buffer.WrittenSpan.ToArray());
    }

    /// <summary>Reads the next frame, or returns null when the server closed the connection.</summary>
    public async Task<(FrameType Type, byte[] Payload)?> ReadFrameAsync()
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync().AsTask().WaitAsync(s_timeout);
            }
            catch (IOException)
            {
                return null;
            }

            var buffer = result.Buffer;
            if (FrameCodec.TryRead(ref buffer, FrameCodec.DefaultMaxFrameSize, out var frame))
            {
                var read = (frame.Type, frame.Payload.ToArray());
                _reader.AdvanceTo(buffer.Start);
                return read;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>Reads frames until a goodbye and returns its reason; fails if the connection ends without one.</summary>
    public async Task<CloseReason> ReadGoodbyeAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            var frame = await ReadFrameAsync();
            Assert.True(frame.HasValue, "The connection closed without a goodbye.");
            if (frame.Value.Type == FrameType.Goodbye)
            {
                return (CloseReason)frame.Value.Payload[0];
            }
        }

        throw new InvalidOperationException("No goodbye within 100 frames.");
    }

    public async Task LoginAsync(string name = "tester")
    {
        await SendAsync(Frames.Hello(name));
        var welcome = await ReadFrameAsync();
        Assert.Equal(FrameType.Welcome, welcome?.Type);
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
