namespace Lifetime.Reliability.Tests.Linearizability;

/// <summary>What a linearizability run did, and its first failure (with the seed that replays it), if any.</summary>
public sealed class HistoryRun
{
    public HistoryRun(int rounds, long operations, string? failure)
    {
        Rounds = rounds;
        Operations = operations;
        Failure = failure;
    }

    public int Rounds { get; }

    public long Operations { get; }

    public string? Failure { get; }
}
