namespace Lifetime;

/// <summary>A message in an owner's mailbox, processed on the owner's processing path.</summary>
internal interface IOwnerMessage
{
    /// <summary>Processes the message. Runs only on <paramref name="owner"/>'s processing path.</summary>
    void Process(TokenOwner owner);
}
