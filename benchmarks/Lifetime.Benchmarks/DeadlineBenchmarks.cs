using System;
using System.Collections.Generic;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Lifetime.Benchmarks;

/// <summary>
/// 100,000 and 1,000,000 live slots with a 30-minute timeout on a manual clock: arming them (allocated
/// bytes / <see cref="Slots"/> is the memory per slot, including its source), re-arming every deadline
/// (touch), and all of them expiring together; against one CancellationTokenSource with CancelAfter per
/// token. Each figure is per invocation over all <see cref="Slots"/>: divide by it for one slot.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class DeadlineBenchmarks
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(30);

    private ManualClock _clock = null!;
    private TokenOwner _owner = null!;
    private List<TokenSlot> _slots = null!;
    private List<CancellationTokenSource> _sources = null!;

    [Params(100_000, 1_000_000)]
    public int Slots { get; set; }

    [IterationSetup(Targets = new[] { nameof(ArmSlots), nameof(ArmCancelAfter) })]
    public void SetupEmpty()
    {
        _clock = new ManualClock();
        _owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = _clock });
        _slots = new List<TokenSlot>(Slots);
        _sources = new List<CancellationTokenSource>(Slots);
    }

    [IterationSetup(Targets = new[] { nameof(TouchSlots), nameof(ExpireSlots) })]
    public void SetupArmed()
    {
        SetupEmpty();
        ArmSlots();
    }

    [IterationSetup(Target = nameof(RearmCancelAfter))]
    public void SetupArmedCancelAfter()
    {
        SetupEmpty();
        ArmCancelAfter();
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _owner.Dispose();
        foreach (var source in _sources)
        {
            source.Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "arm: CTS + CancelAfter(30 min) per token")]
    public void ArmCancelAfter()
    {
        for (var i = 0; i < Slots; i++)
        {
            var source = new CancellationTokenSource();
            source.CancelAfter(s_timeout);
            _sources.Add(source);
        }
    }

    [Benchmark(Description = "arm: slot.RenewAfterAsync(30 min)")]
    public void ArmSlots()
    {
        for (var i = 0; i < Slots; i++)
        {
            var slot = _owner.CreateSlot();
            _ = slot.RenewAfterAsync(s_timeout);
            _slots.Add(slot);
        }
    }

    [Benchmark(Description = "re-arm: CancelAfter(30 min) again")]
    public void RearmCancelAfter()
    {
        foreach (var source in _sources)
        {
            source.CancelAfter(s_timeout);
        }
    }

    [Benchmark(Description = "re-arm: slot.TouchAsync(30 min)")]
    public void TouchSlots()
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        foreach (var slot in _slots)
        {
            _ = slot.TouchAsync(s_timeout);
        }
    }

    [Benchmark(Description = "expire all slots together")]
    public int ExpireSlots()
    {
        _clock.Advance(s_timeout + TimeSpan.FromMilliseconds(10));
        return _slots.Count;
    }
}
