namespace Lifetime.Extensions;

/// <summary>
/// The event ids of what Lifetime.Extensions logs, all in the category <see cref="Category"/>
/// (docs/observability.md lists them with their levels and fields).
/// </summary>
public static class TokenOwnerLogEvents
{
    /// <summary>The logging category of every event below: <c>"Lifetime.TokenOwner"</c>.</summary>
    public const string Category = "Lifetime.TokenOwner";

    /// <summary>Warning: a cancellation callback of a token of a named owner threw; the exception is attached.</summary>
    public const int CallbackException = 1;

    /// <summary>Information: the host is stopping and the factory disposes the owners it created that are still running.</summary>
    public const int OwnersStopping = 2;

    /// <summary>Error: an owner had not completed (some callback still running) when the host's shutdown timeout ran out.</summary>
    public const int OwnerNotEnded = 3;

    /// <summary>Error: disposing an owner on shutdown threw (strict mode); the exception is attached, and the other owners are still ended.</summary>
    public const int OwnerDisposeFailed = 4;
}
