namespace Lifetime.Reliability.Tests.Races;

/// <summary>What a race run did, and its first failure (with the seed that replays it), if any.</summary>
public sealed class RaceResult
{
    public RaceResult(int schedules, long hookHits, string? failure)
    {
        Schedules = schedules;
        HookHits = hookHits;
        Failure = failure;
    }

    public int Schedules { get; }

    public long HookHits { get; }

    public string? Failure { get; }
}
