using System;
using System.Threading.Tasks;
using GameServer.Reporting;
using Lifetime;

namespace GameServer.Tests;

/// <summary>The reader's figures against a real owner.</summary>
public sealed class LifetimeMeterReaderTests
{
    [Fact]
    public async Task Figures_RenewsAndEnds_CountedByVariantAndCauseAndBackToZero()
    {
        using var meter = new LifetimeMeterReader();
        var owner = new TokenOwner();
        var slot = owner.CreateSlot();

        var first = await owner.RenewAsync();
        await owner.RenewAsync();
        var timed = await slot.RenewAfterAsync(TimeSpan.Zero);

        Assert.True(first.IsCancellationRequested);
        Assert.True(timed.IsCancellationRequested);
        Assert.Equal(3, meter.Renews);
        Assert.Equal(2, meter.RenewsOf("renew"));
        Assert.Equal(1, meter.RenewsOf("renew_after"));
        Assert.Equal(0, meter.RenewsOf("no_such_variant"));
        Assert.Equal(1, meter.TokensEnded(TokenEndCause.Renewed));
        Assert.Equal(1, meter.TokensEnded(TokenEndCause.TimedOut));
        Assert.True(meter.SourcesLive >= 1, $"live {meter.SourcesLive}");
        Assert.True(meter.OwnersLive >= 1);

        await owner.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, meter.SourcesLive);
        Assert.Equal(0, meter.OwnersLive);
        Assert.Equal(1, meter.TokensEnded(TokenEndCause.OwnerDisposed));
        Assert.Equal(meter.Renews, meter.TokensEndedTotal);
        Assert.True(meter.SourcesPeak >= 1);
        Assert.Equal(0, meter.CallbackExceptions);
    }

    [Fact]
    public async Task CallbackExceptions_ThrowingCallback_Counted()
    {
        using var meter = new LifetimeMeterReader();
        await using var owner = new TokenOwner();
        var token = await owner.RenewAsync();
        token.Register(() => throw new InvalidOperationException("planted"));

        await owner.RenewAsync();

        Assert.Equal(1, meter.CallbackExceptions);
    }

    [Theory]
    [InlineData(TokenEndCause.TimedOut, "timed_out")]
    [InlineData(TokenEndCause.LinkCancelled, "link_cancelled")]
    [InlineData(TokenEndCause.Renewed, "renewed")]
    [InlineData(TokenEndCause.OwnerEnded, "owner_ended")]
    public void CauseTag_Cause_SnakeCase(TokenEndCause cause, string expected)
    {
        Assert.Equal(expected, LifetimeMeterReader.CauseTag(cause));
    }
}
