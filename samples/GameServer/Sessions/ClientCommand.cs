using GameServer.Protocol;

namespace GameServer.Sessions;

/// <summary>A client frame that <see cref="SessionProtocol.Interpret"/> accepted: its type and its one argument.</summary>
/// <param name="Type">
/// The frame type: <see cref="FrameType.Hello"/>, <see cref="FrameType.Heartbeat"/>, <see cref="FrameType.Move"/>,
/// <see cref="FrameType.LoadLevel"/>, <see cref="FrameType.FindMatch"/> or <see cref="FrameType.Bye"/>.
/// </param>
/// <param name="Argument">The level of a <see cref="FrameType.LoadLevel"/>, the mode of a <see cref="FrameType.FindMatch"/>; 0 otherwise.</param>
public readonly record struct ClientCommand(FrameType Type, int Argument);
