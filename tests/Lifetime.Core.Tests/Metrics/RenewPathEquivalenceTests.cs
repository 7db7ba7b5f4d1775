using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests.Metrics;

/// <summary>
/// An idle owner with Inline placement runs a renew without a timeout in one of two ways: without an
/// operation under the default exception policy, through the owner's inline operation under the strict
/// policy. The same script on both must give the same answers, end causes, links and meter counts, so that
/// the two implementations cannot drift apart. Run alone: the meter is process-wide.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class RenewPathEquivalenceTests : IDisposable
{
    private static readonly string[] s_figures = ["lifetime.renews", "lifetime.tokens.ended", "lifetime.sources.live"];

    private readonly MetricRecorder _recorder = new();

    public void Dispose() => _recorder.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RenewWithoutTimeout_WithAndWithoutAnOperation_SameAnswersCausesAndCounts(bool synchronous)
    {
        var withOperation = await RunScript(strict: true, synchronous);
        var withoutOperation = await RunScript(strict: false, synchronous);

        Assert.Equal(withOperation.Steps, withoutOperation.Steps);
        Assert.Equal(withOperation.Counts, withoutOperation.Counts);
        Assert.Equal(0, withoutOperation.Counts["lifetime.sources.live"]);
        Assert.True(withoutOperation.Counts["lifetime.renews"] >= 8, "The script renewed less than it should have.");
    }

    private async Task<(string Steps, SortedDictionary<string, double> Counts)> RunScript(bool strict, bool synchronous)
    {
        var factory = new ScriptedFactory();
        var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = strict, SourceFactory = factory.Create });
        using var link = new CancellationTokenSource();
        using var cancelledLink = new CancellationTokenSource();
        cancelledLink.Cancel();
        var steps = new List<string>();
        var tokens = new List<CancellationToken>();
        var before = _recorder.Observe();

        async Task Renew(string source, params CancellationToken[] links)
        {
            factory.Next = source;
            try
            {
                var token = synchronous ? owner.RenewLinked(links) : await owner.RenewLinkedAsync(links).Within();
                tokens.Add(token);
                steps.Add($"{source}: {token.IsCancellationRequested} {owner.GetEndCause(token)} current={owner.IsCurrent(token)}");
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException or ObjectDisposedException)
            {
                steps.Add($"{source}: {ex.GetType().Name}");
            }

            steps.Add(owner.DefaultSlotForTests.FirstLink is null ? "  no links" : "  linked");
        }

        await Renew("plain");
        await Renew("plain", link.Token);
        await Renew("plain", link.Token);
        await Renew("cancelled", link.Token);
        await Renew("plain", link.Token);
        await Renew("throwing", link.Token);
        await Renew("null");
        await Renew("disposed", link.Token);
        await Renew("plain", cancelledLink.Token);
        await Renew("cancelled", cancelledLink.Token);
        await Renew("plain", link.Token);
        link.Cancel();
        steps.Add("after the link: " + string.Join(", ", tokens.Select(owner.GetEndCause)));
        await owner.DisposeAsync().Within();
        steps.Add("after disposal: " + string.Join(", ", tokens.Select(owner.GetEndCause)));

        var after = _recorder.Observe();
        var counts = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var name in s_figures)
        {
            counts[name] = after.Since(before, name);
            foreach (var tag in after.Measurements.Where(m => m.Name == name).SelectMany(m => m.Tags.Values).Select(v => v?.ToString()).Distinct())
            {
                counts[$"{name} {tag}"] = after.Since(before, name, tag);
            }
        }

        return (string.Join("\n", steps), counts);
    }

    /// <summary>A factory told what to hand out next: a plain, cancelled or disposed source, null, or a throw.</summary>
    private sealed class ScriptedFactory
    {
        public string Next { get; set; } = "plain";

        public CancellationTokenSource Create()
        {
            switch (Next)
            {
                case "throwing":
                    throw new FormatException("The factory failed.");
                case "null":
                    return null!;
                case "disposed":
                    var disposed = new CancellationTokenSource();
                    disposed.Dispose();
                    return disposed;
                case "cancelled":
                    var cancelled = new CancellationTokenSource();
                    cancelled.Cancel();
                    return cancelled;
                default:
                    return new CancellationTokenSource();
            }
        }
    }
}
