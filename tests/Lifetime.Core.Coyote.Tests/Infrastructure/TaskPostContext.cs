using System.Threading;
using System.Threading.Tasks;

namespace Lifetime.Coyote.Tests.Infrastructure;

/// <summary>
/// A <see cref="SynchronizationContext"/> whose <see cref="Post"/> starts a task from this (rewritten)
/// assembly, so that Coyote schedules every posted callback: they run in any order, like a context backed
/// by pool threads. A context with one thread (Unity's main thread) runs them in order, which is one of the
/// orders explored here.
/// </summary>
public sealed class TaskPostContext : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) => _ = Task.Run(() => d(state));

    public override void Send(SendOrPostCallback d, object? state) => d(state);

    public override SynchronizationContext CreateCopy() => this;
}
