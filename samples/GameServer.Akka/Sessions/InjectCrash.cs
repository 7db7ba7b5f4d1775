namespace GameServer.Akka.Sessions;

/// <summary>Tells a session actor to throw <see cref="InjectedCrashException"/> (the chaos the supervisor injects).</summary>
internal sealed class InjectCrash
{
    private InjectCrash()
    {
    }

    /// <summary>Gets the message.</summary>
    public static InjectCrash Instance { get; } = new();
}
