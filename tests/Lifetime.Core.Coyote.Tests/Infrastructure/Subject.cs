using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Testing;
using Lifetime.Tests.Infrastructure;
using Microsoft.Coyote.Specifications;
using CoyoteRandom = Microsoft.Coyote.Random.Generator;

namespace Lifetime.Coyote.Tests.Infrastructure;

/// <summary>
/// One iteration's owner: counted sources, a manual clock, an outer token, the placement under test, and
/// each call made in its synchronous or async form as the engine chooses (a controlled choice, so a failing
/// schedule replays with the same forms).
/// </summary>
public sealed class Subject
{
    private readonly CoyoteRandom _random = CoyoteRandom.Create();
    private readonly List<string> _log = new();

    public Subject(CallbackPlacement placement, bool bindOuter = false)
    {
        Placement = placement;
        var options = Counter.Options(Time);
        options.CallbackPlacement = placement;
        options.CallbackContext = placement == CallbackPlacement.SynchronizationContext ? new TaskPostContext() : null;
        options.OuterToken = bindOuter ? Outer.Token : default;
        Owner = new TokenOwner(options);
    }

    public CallbackPlacement Placement { get; }

    public SourceCounter Counter { get; } = new();

    public ManualTimeProvider Time { get; } = new();

    public CancellationTokenSource Outer { get; } = new();

    public TokenOwner Owner { get; }

    /// <summary>A controlled coin: both sides are explored, and a replay makes the same choice.</summary>
    public bool Coin() => _random.NextBoolean();

    /// <summary>
    /// Whether renews may take their synchronous form (a controlled choice each time when they may). The
    /// end-of-life races turn it off: a synchronous renew refused after the end of life blocks on a task the
    /// engine does not control (<c>RefuseRenewBlocking</c> waits for <c>Completion</c> through
    /// <c>QuietCompletion</c>'s <c>ContinueWith</c>), which it can only leave by timing out, at 0.2 to 0.5 s
    /// an iteration. The reliability suite's linearizability check covers those calls.
    /// </summary>
    public bool SyncRenews { get; init; } = true;

    /// <summary>A controlled choice of a call's form: true for the synchronous one.</summary>
    public bool Form() => Coin();

    private bool RenewForm() => SyncRenews && Coin();

    /// <summary>A controlled choice among <paramref name="count"/>.</summary>
    public int Choose(int count) => _random.NextInteger(count);

    /// <summary>What each side did, for the failure message.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join("; ", _log);
            }
        }
    }

    public void Note(string what)
    {
        lock (_log)
        {
            _log.Add(what);
        }

        if (s_trace)
        {
            Console.WriteLine($"[{Environment.CurrentManagedThreadId}] {what} (queued {Owner?.QueuedForTests})");
        }
    }

    // LIFETIME_COYOTE_TRACE_CALLS=1: every noted call is also written to the console as it happens (with a replay, to see where a schedule stops).
    private static readonly bool s_trace = Environment.GetEnvironmentVariable("LIFETIME_COYOTE_TRACE_CALLS") is "1";

    public async Task<CancellationToken> RenewAsync(TokenSlot? slot = null)
    {
        var target = slot ?? Owner.DefaultSlotForTests;
        var sync = RenewForm();
        Note(sync ? "sync Renew" : "RenewAsync");
        return sync ? target.Renew() : await target.RenewAsync();
    }

    /// <summary>
    /// A renew of any variant, by a controlled choice: Renew, RenewAfter (30 minutes), RenewLinked with no
    /// links, or RenewOwned with a counted source of the caller's.
    /// </summary>
    public async Task<CancellationToken> RenewAnyAsync(TokenSlot? slot = null)
    {
        var target = slot ?? Owner.DefaultSlotForTests;
        var sync = RenewForm();
        var prefix = sync ? "sync " : string.Empty;
        switch (Choose(4))
        {
            case 0:
                Note(prefix + "Renew");
                return sync ? target.Renew() : await target.RenewAsync();
            case 1:
                Note(prefix + "RenewAfter(30 min)");
                return sync ? target.RenewAfter(TimeSpan.FromMinutes(30)) : await target.RenewAfterAsync(TimeSpan.FromMinutes(30));
            case 2:
                Note(prefix + "RenewLinked()");
                return sync ? target.RenewLinked() : await target.RenewLinkedAsync();
            default:
                Note(prefix + "RenewOwned");
                var source = Counter.CreateForCaller();
                return sync ? target.RenewOwned(source) : await target.RenewOwnedAsync(source);
        }
    }

    public async Task CancelAsync(TokenSlot? slot = null)
    {
        var target = slot ?? Owner.DefaultSlotForTests;
        var sync = Form();
        Note(sync ? "sync CancelAndDispose" : "CancelAndDisposeAsync");
        if (sync)
        {
            target.CancelAndDispose();
        }
        else
        {
            await target.CancelAndDisposeAsync();
        }
    }

    public async Task CancelAllAsync()
    {
        var sync = Form();
        Note(sync ? "sync CancelAll" : "CancelAllAsync");
        if (sync)
        {
            Owner.CancelAll();
        }
        else
        {
            await Owner.CancelAllAsync();
        }
    }

    public async Task<bool> TouchZeroAsync(TokenSlot? slot = null)
    {
        var target = slot ?? Owner.DefaultSlotForTests;
        var sync = Form();
        Note(sync ? "sync Touch(0)" : "TouchAsync(0)");
        return sync ? target.Touch(TimeSpan.Zero) : await target.TouchAsync(TimeSpan.Zero);
    }

    /// <summary>
    /// Disposes the owner, synchronously or not; true when its reply promises every token ended: always for
    /// <c>DisposeAsync</c>, only with <see cref="CallbackPlacement.Inline"/> for <c>Dispose()</c>, which with
    /// a dispatched placement returns once the disposal is processed, its cancellations possibly still
    /// running elsewhere (documented on <see cref="TokenOwner.Dispose"/>).
    /// </summary>
    public async Task<bool> DisposeAsync()
    {
        var sync = Form();
        Note(sync ? "sync Dispose" : "DisposeAsync");
        if (sync)
        {
            Owner.Dispose();
            return Placement == CallbackPlacement.Inline;
        }

        await Owner.DisposeAsync();
        return true;
    }

    /// <summary>
    /// Ends the test: disposes the owner, waits for its completion, and checks that every source it created
    /// (and every source a caller gave it) was disposed exactly once and that no registration is left on the
    /// outer token.
    /// </summary>
    public async Task AuditAsync()
    {
        Owner.Dispose();
        await Owner.Completion;
        Check(Counter.Created == Counter.Disposed, $"{Counter.Created} sources created, {Counter.Disposed} disposed");
        Check(Counter.DisposedTwice == 0, $"{Counter.DisposedTwice} sources disposed twice");
        Check(Owner.Wheel.Snapshot == (0, false), "a deadline is still armed after the disposal");
        Outer.Dispose();
    }

    /// <summary>An assertion of the controlled test: a failure stops the iteration with the message and the calls made.</summary>
    public void Check(bool condition, string what) => Specification.Assert(condition, "{0} [{1}, calls: {2}]", what, Placement, Log);
}
