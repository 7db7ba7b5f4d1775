using System;

namespace GameServer.Akka.Sessions;

/// <summary>The failure a session actor throws when a crash is injected; its supervisor restarts it.</summary>
public sealed class InjectedCrashException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InjectedCrashException()
        : base("Injected crash.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public InjectedCrashException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public InjectedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
