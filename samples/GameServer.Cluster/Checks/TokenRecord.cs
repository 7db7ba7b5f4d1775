using Lifetime;

namespace GameServer.Cluster.Checks;

/// <summary>One token an incarnation's owner handed out, and its end if the log has it.</summary>
internal sealed class TokenRecord
{
    public TokenRecord(long number, string slot, long issued)
    {
        Number = number;
        Slot = slot;
        Issued = issued;
    }

    public long Number { get; }

    public string Slot { get; }

    public long Issued { get; }

    /// <summary>Gets when its cancellation callback ran, or 0 when it never did.</summary>
    public long Ended { get; set; }

    public TokenEndCause Cause { get; set; }
}
