namespace Lifetime.Reliability.Tests.Model;

/// <summary>What a model-check run did, and its first failure (with the seed that replays it), if any.</summary>
public sealed class SequenceResult
{
    public SequenceResult(int sequences, long operations, string? failure)
    {
        Sequences = sequences;
        Operations = operations;
        Failure = failure;
    }

    public int Sequences { get; }

    public long Operations { get; }

    public string? Failure { get; }
}
