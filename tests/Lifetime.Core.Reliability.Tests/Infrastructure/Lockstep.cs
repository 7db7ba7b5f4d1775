using System;
using System.Collections.Generic;
using System.Threading;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>
/// Dedicated threads that start each round together at a <see cref="Barrier"/> (the dotnet/runtime
/// lockstep idiom), run one action each, and meet again; the caller then checks the outcome. Dedicated
/// threads, not the pool, so that a starved pool can only slow the owner down, never the harness.
/// </summary>
public sealed class Lockstep : IDisposable
{
    private readonly Thread[] _threads;
    private readonly Barrier _barrier;
    private readonly Action?[] _actions;
    private readonly Exception?[] _errors;
    private volatile bool _stopping;

    public Lockstep(int threads)
    {
        _threads = new Thread[threads];
        _actions = new Action?[threads];
        _errors = new Exception?[threads];
        _barrier = new Barrier(threads + 1);
        for (var i = 0; i < threads; i++)
        {
            var index = i;
            _threads[i] = new Thread(() => Loop(index)) { IsBackground = true, Name = $"Lockstep {i}" };
            _threads[i].Start();
        }
    }

    public int Threads => _threads.Length;

    /// <summary>Runs one action per thread, all released at once; rethrows what they threw.</summary>
    public void Run(params Action[] actions)
    {
        if (actions.Length != _threads.Length)
        {
            throw new ArgumentException($"{_threads.Length} actions expected.", nameof(actions));
        }

        for (var i = 0; i < actions.Length; i++)
        {
            _actions[i] = actions[i];
            _errors[i] = null;
        }

        Meet();
        Meet();
        List<Exception>? errors = null;
        for (var i = 0; i < _errors.Length; i++)
        {
            if (_errors[i] is { } error)
            {
                (errors ??= new List<Exception>()).Add(new InvalidOperationException($"Lockstep thread {i} (action {i + 1}) threw.", error));
            }
        }

        if (errors is not null)
        {
            throw new AggregateException(errors);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _barrier.SignalAndWait(Bounded.Limit);
        foreach (var thread in _threads)
        {
            thread.Join(Bounded.Limit);
        }

        _barrier.Dispose();
    }

    private void Meet()
    {
        // Twice the bound: every action is itself bounded by Sync, so only a harness bug can trip this.
        if (!_barrier.SignalAndWait(Bounded.Limit * 2))
        {
            throw new TimeoutException("A lockstep thread did not arrive: hang.");
        }
    }

    private void Loop(int index)
    {
        while (true)
        {
            _barrier.SignalAndWait();
            if (_stopping)
            {
                return;
            }

            try
            {
                _actions[index]!();
            }
#pragma warning disable CA1031 // Whatever the action threw is the outcome the caller checks.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _errors[index] = ex;
            }

            _barrier.SignalAndWait();
        }
    }
}
