using System;
using Microsoft.Extensions.Logging;

namespace Lifetime.Extensions;

/// <summary>The source-generated log messages; their ids are <see cref="TokenOwnerLogEvents"/>.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = TokenOwnerLogEvents.CallbackException, EventName = "CallbackException", Level = LogLevel.Warning, Message = "A cancellation callback of a token of owner '{OwnerName}' threw.")]
    public static partial void CallbackException(ILogger logger, string ownerName, Exception exception);

    [LoggerMessage(EventId = TokenOwnerLogEvents.OwnersStopping, EventName = "OwnersStopping", Level = LogLevel.Information, Message = "Ending {Count} token owner(s) within the host's shutdown timeout.")]
    public static partial void OwnersStopping(ILogger logger, int count);

    [LoggerMessage(EventId = TokenOwnerLogEvents.OwnerNotEnded, EventName = "OwnerNotEnded", Level = LogLevel.Error, Message = "Token owner '{OwnerName}' did not end within the host's shutdown timeout (waited {Elapsed}): a cancellation callback of one of its tokens is still running.")]
    public static partial void OwnerNotEnded(ILogger logger, string ownerName, TimeSpan elapsed);

    [LoggerMessage(EventId = TokenOwnerLogEvents.OwnerDisposeFailed, EventName = "OwnerDisposeFailed", Level = LogLevel.Error, Message = "Disposing token owner '{OwnerName}' on shutdown threw.")]
    public static partial void OwnerDisposeFailed(ILogger logger, string ownerName, Exception exception);
}
