using System;
using System.Buffers.Binary;
using System.Text;

namespace GameServer.Protocol;

/// <summary>Builds the frames of the protocol, for both sides.</summary>
public static class Frames
{
    /// <summary>The longest player name, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 32;

    /// <summary>The longest goodbye text, in UTF-8 bytes (longer texts are cut).</summary>
    public const int MaxGoodbyeTextBytes = 200;

    /// <summary>Gets a <see cref="FrameType.Heartbeat"/> frame.</summary>
    public static OutgoingFrame Heartbeat { get; } = new(FrameType.Heartbeat, ReadOnlyMemory<byte>.Empty);

    /// <summary>Gets a <see cref="FrameType.Bye"/> frame.</summary>
    public static OutgoingFrame Bye { get; } = new(FrameType.Bye, ReadOnlyMemory<byte>.Empty);

    /// <summary>Gets a <see cref="FrameType.MatchTimedOut"/> frame.</summary>
    public static OutgoingFrame MatchTimedOut { get; } = new(FrameType.MatchTimedOut, ReadOnlyMemory<byte>.Empty);

    /// <summary>Builds a <see cref="FrameType.Hello"/> frame.</summary>
    /// <param name="playerName">1 to <see cref="MaxNameBytes"/> UTF-8 bytes.</param>
    /// <returns>The frame.</returns>
    /// <exception cref="ArgumentException">The name is empty or too long.</exception>
    public static OutgoingFrame Hello(string playerName)
    {
        var bytes = Encoding.UTF8.GetBytes(playerName);
        if (bytes.Length is 0 or > MaxNameBytes)
        {
            throw new ArgumentException($"A player name is 1 to {MaxNameBytes} UTF-8 bytes.", nameof(playerName));
        }

        return new OutgoingFrame(FrameType.Hello, bytes);
    }

    /// <summary>Builds a <see cref="FrameType.Move"/> frame.</summary>
    /// <param name="action">The action.</param>
    /// <returns>The frame.</returns>
    public static OutgoingFrame Move(uint action) => UInt32(FrameType.Move, action);

    /// <summary>Builds a <see cref="FrameType.LoadLevel"/> frame.</summary>
    /// <param name="level">The level id.</param>
    /// <returns>The frame.</returns>
    public static OutgoingFrame LoadLevel(ushort level) => UInt16(FrameType.LoadLevel, level);

    /// <summary>Builds a <see cref="FrameType.FindMatch"/> frame.</summary>
    /// <param name="mode">The game mode.</param>
    /// <returns>The frame.</returns>
    public static OutgoingFrame FindMatch(byte mode) => new(FrameType.FindMatch, new[] { mode });

    /// <summary>Builds a <see cref="FrameType.Welcome"/> frame.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <returns>The frame.</returns>
    public static OutgoingFrame Welcome(long sessionId)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, sessionId);
        return new OutgoingFrame(FrameType.Welcome, bytes);
    }

    /// <summary>Builds a <see cref="FrameType.LevelLoaded"/> frame.</summary>
    /// <param name="level">The level id.</param>
    /// <returns>The frame.</returns>
    public static OutgoingFrame LevelLoaded(ushort level) => UInt16(FrameType.LevelLoaded, level);

    /// <summary>Builds a <see cref="FrameType.MatchFound"/> frame.</summary>
    /// <param name="matchId">The match id.</param>
    /// <returns>The frame.</returns>
    public static OutgoingFrame MatchFound(uint matchId) => UInt32(FrameType.MatchFound, matchId);

    /// <summary>Builds a <see cref="FrameType.Goodbye"/> frame.</summary>
    /// <param name="reason">Why the session ends.</param>
    /// <param name="text">An optional explanation; cut to <see cref="MaxGoodbyeTextBytes"/> bytes.</param>
    /// <returns>The frame.</returns>
    public static OutgoingFrame Goodbye(CloseReason reason, string? text = null)
    {
        var textBytes = string.IsNullOrEmpty(text) ? Array.Empty<byte>() : Encoding.UTF8.GetBytes(text);
        var length = Math.Min(textBytes.Length, MaxGoodbyeTextBytes);
        var bytes = new byte[1 + length];
        bytes[0] = (byte)reason;
        textBytes.AsSpan(0, length).CopyTo(bytes.AsSpan(1));
        return new OutgoingFrame(FrameType.Goodbye, bytes);
    }

    private static OutgoingFrame UInt16(FrameType type, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return new OutgoingFrame(type, bytes);
    }

    private static OutgoingFrame UInt32(FrameType type, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new OutgoingFrame(type, bytes);
    }
}
