using System;
using System.Threading;

namespace GameServer.Akka.Reporting;

/// <summary>
/// The counters of the Akka mode: incarnations, injected crashes, restarts, and what each restart found
/// of the tokens the crashed incarnation held. Every member is thread-safe; counters only grow.
/// </summary>
public sealed class AkkaMetrics
{
    private long _incarnations;
    private long _crashes;
    private long _restartDirectives;
    private long _restarts;
    private long _tokensAtCrash;
    private long _tokensLiveInPreRestart;
    private long _restartsChecked;
    private long _tokensCancelledAtConstruction;
    private long _tokensLiveAtConstruction;
    private long _readerEndingsDropped;
    private long _requestOutcomesDropped;
    private long _stoppedBySupervisor;

    /// <summary>Raised after a restarted session actor's new instance ran <c>PostRestart</c> (on the actor's thread; keep it short).</summary>
    public event Action? Restarted;

    /// <summary>Gets how many session actor instances were constructed (first incarnations and restarts).</summary>
    public long Incarnations => Volatile.Read(ref _incarnations);

    /// <summary>Gets how many crashes were thrown inside session actors.</summary>
    public long CrashesInjected => Volatile.Read(ref _crashes);

    /// <summary>Gets how many times the supervisor's strategy answered a failure with Restart.</summary>
    public long RestartDirectives => Volatile.Read(ref _restartDirectives);

    /// <summary>Gets how many session actors were restarted (counted in the new instance's <c>PostRestart</c>).</summary>
    public long Restarts => Volatile.Read(ref _restarts);

    /// <summary>Gets how many live tokens crashed incarnations held when they threw.</summary>
    public long TokensAtCrash => Volatile.Read(ref _tokensAtCrash);

    /// <summary>Gets how many of those were still live in the crashed instance's <c>PreRestart</c> (the adapter ends them after it).</summary>
    public long TokensLiveInPreRestart => Volatile.Read(ref _tokensLiveInPreRestart);

    /// <summary>Gets how many restarts were checked by the new instance's constructor.</summary>
    public long RestartsChecked => Volatile.Read(ref _restartsChecked);

    /// <summary>Gets how many old tokens the new instance's constructor found cancelled.</summary>
    public long TokensCancelledAtConstruction => Volatile.Read(ref _tokensCancelledAtConstruction);

    /// <summary>Gets how many old tokens the new instance's constructor found still live (must stay zero).</summary>
    public long TokensLiveAtConstruction => Volatile.Read(ref _tokensLiveAtConstruction);

    /// <summary>Gets how many socket reader endings <c>PipeToIfCurrent</c> dropped because their token was no longer current.</summary>
    public long ReaderEndingsDropped => Volatile.Read(ref _readerEndingsDropped);

    /// <summary>Gets how many request outcomes <c>PipeToIfCurrent</c> dropped because their token was no longer current.</summary>
    public long RequestOutcomesDropped => Volatile.Read(ref _requestOutcomesDropped);

    /// <summary>Gets how many session actors were stopped by their supervisor instead of closing their session (must stay zero).</summary>
    public long StoppedBySupervisor => Volatile.Read(ref _stoppedBySupervisor);

    /// <summary>Records a constructed session actor instance.</summary>
    public void OnIncarnation() => Interlocked.Increment(ref _incarnations);

    /// <summary>Records a crash about to be thrown, with the live tokens the incarnation holds.</summary>
    /// <param name="liveTokens">How many live tokens the crashing incarnation holds.</param>
    public void OnCrashInjected(int liveTokens)
    {
        Interlocked.Increment(ref _crashes);
        Interlocked.Add(ref _tokensAtCrash, liveTokens);
    }

    /// <summary>Records a Restart directive of the supervisor.</summary>
    public void OnRestartDirective() => Interlocked.Increment(ref _restartDirectives);

    /// <summary>Records how many of the crashed incarnation's tokens were still live in its <c>PreRestart</c>.</summary>
    /// <param name="live">The count.</param>
    public void OnPreRestart(int live) => Interlocked.Add(ref _tokensLiveInPreRestart, live);

    /// <summary>Records what the new instance's constructor found of the old incarnation's tokens.</summary>
    /// <param name="cancelled">Old tokens found cancelled.</param>
    /// <param name="live">Old tokens found live.</param>
    public void OnRestartChecked(int cancelled, int live)
    {
        Interlocked.Increment(ref _restartsChecked);
        Interlocked.Add(ref _tokensCancelledAtConstruction, cancelled);
        Interlocked.Add(ref _tokensLiveAtConstruction, live);
    }

    /// <summary>Records a finished restart and raises <see cref="Restarted"/>.</summary>
    public void OnRestarted()
    {
        Interlocked.Increment(ref _restarts);
        Restarted?.Invoke();
    }

    /// <summary>Records a reader ending dropped as stale.</summary>
    public void OnReaderEndingDropped() => Interlocked.Increment(ref _readerEndingsDropped);

    /// <summary>Records a request outcome dropped as stale.</summary>
    public void OnRequestOutcomeDropped() => Interlocked.Increment(ref _requestOutcomesDropped);

    /// <summary>Records a session actor that its supervisor stopped before it closed its session.</summary>
    public void OnStoppedBySupervisor() => Interlocked.Increment(ref _stoppedBySupervisor);
}
