using System.Diagnostics;
#if LIFETIME_HOOKS
using System;
using System.Threading;
#endif

namespace Lifetime;

/// <summary>Where in the owner's machinery a schedule-exploration test may delay or yield the thread.</summary>
internal enum HookPoint
{
    /// <summary>A message is in the mailbox; its sender has not yet tried to become the drainer.</summary>
    AfterEnqueue,

    /// <summary>The drainer is about to process a message.</summary>
    BeforeProcess,

    /// <summary>The drainer found the mailbox empty and is about to release the gate.</summary>
    BeforeDrainExit,

    /// <summary>An ended source is about to be cancelled (its callbacks run next).</summary>
    BeforeCancel,

    /// <summary>An ended source was cancelled and is about to be disposed.</summary>
    AfterCancel,

    /// <summary>An operation is about to be answered.</summary>
    BeforeReply,

    /// <summary>A disposal is being sent (caller side) or processed (processing path).</summary>
    InDispose,

    /// <summary>A disposal or the end of life was decided and its request is not enqueued yet: the mailbox is still open.</summary>
    EndDecided,

    /// <summary>A deadline was read as due on the processing path, or by a caller's in-place touch, and is about to be claimed or moved.</summary>
    DeadlineRead,

    /// <summary>A slot's Dispose found the end of life not yet observable and is about to request the retirement.</summary>
    RetirementChecked,
}

/// <summary>
/// A defect a checker's self-test plants back into a hooked build (<c>ScheduleHooks.Planted</c>), to
/// show that the checker finds it. Each names a fixed bug; only the hooked build can plant one.
/// </summary>
internal enum PlantedFault
{
    /// <summary>No defect.</summary>
    None,

    /// <summary>
    /// A drainer leaving the processing path does not look at the mailbox again after releasing the gate,
    /// so a message counted between its last look and the release is stranded.
    /// </summary>
    NoSecondLookAfterGateExit,

    /// <summary>
    /// A reply follows only its own dispatched ends, not the earlier ones of its slot (or, for a cancel-all
    /// or a disposal, of every slot) still running: issue 10 item 0, docs/reliability.md bug 5.
    /// </summary>
    ReplyIgnoresEarlierEnds,
}

/// <summary>
/// Injection points for schedule-exploration tests. Compiled in only when the project is built with
/// <c>-p:LifetimeHooks=true</c> (which defines <c>LIFETIME_HOOKS</c>); otherwise every call site is
/// removed by the compiler, so release builds and packages pay nothing.
/// </summary>
internal static class ScheduleHooks
{
#if LIFETIME_HOOKS
    /// <summary>Whether the hooks are compiled in.</summary>
    public const bool Enabled = true;

    private static Action<HookPoint>? s_handler;
    private static Action<WaitCallback, object>? s_poolQueue;
    private static int s_planted;

    /// <summary>Gets or sets what runs at every hook point, on the thread that reached it (tests only).</summary>
    public static Action<HookPoint>? Handler
    {
        get => Volatile.Read(ref s_handler);
        set => Volatile.Write(ref s_handler, value);
    }

    /// <summary>
    /// Gets or sets what queues the owner's thread-pool work items (dispatched ends, handed-off drains) in
    /// place of <see cref="ThreadPool.UnsafeQueueUserWorkItem(WaitCallback, object)"/>: a systematic tester
    /// runs them as tasks it controls (tests only).
    /// </summary>
    public static Action<WaitCallback, object>? PoolQueue
    {
        get => Volatile.Read(ref s_poolQueue);
        set => Volatile.Write(ref s_poolQueue, value);
    }

    /// <summary>Gets or sets the defect planted back into this build (tests only).</summary>
    public static PlantedFault Planted
    {
        get => (PlantedFault)Volatile.Read(ref s_planted);
        set => Volatile.Write(ref s_planted, (int)value);
    }

    /// <summary>Queues a thread-pool work item of the owner, through <see cref="PoolQueue"/> when a test set it.</summary>
    public static void QueueToPool(WaitCallback callback, object state)
    {
        if (PoolQueue is { } queue)
        {
            queue(callback, state);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(callback, state);
        }
    }
#else
    /// <summary>Whether the hooks are compiled in.</summary>
    public const bool Enabled = false;
#endif

    /// <summary>Runs the test's handler, if any. Removed at compile time without <c>LIFETIME_HOOKS</c>.</summary>
    [Conditional("LIFETIME_HOOKS")]
    public static void At(HookPoint point)
    {
#if LIFETIME_HOOKS
        Volatile.Read(ref s_handler)?.Invoke(point);
#else
        _ = point;
#endif
    }
}
