namespace GameServer.Protocol;

/// <summary>Helpers over <see cref="CloseReason"/>.</summary>
public static class CloseReasons
{
    /// <summary>The number of defined reasons, for arrays indexed by reason.</summary>
    public const int Count = (int)CloseReason.ClientDisconnected + 1;

    /// <summary>Tells whether <paramref name="reason"/> is a protocol violation by the client.</summary>
    /// <param name="reason">The reason to classify.</param>
    /// <returns><see langword="true"/> for the codes 4 to 8.</returns>
    public static bool IsProtocolViolation(CloseReason reason) => reason is >= CloseReason.InvalidFrameLength and <= CloseReason.AlreadyLoggedIn;
}
