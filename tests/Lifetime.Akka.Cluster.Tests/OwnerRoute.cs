namespace Lifetime.Akka.Cluster.Tests;

/// <summary>How a session entity gets its incarnation's owner.</summary>
public enum OwnerRoute
{
    /// <summary><see cref="SessionEntity"/>: <c>Context.GetTokenOwner()</c>, the extension's producer plugin.</summary>
    Extension,

    /// <summary><see cref="BaseClassSessionEntity"/>: <see cref="TokenOwnerReceiveActor"/>.</summary>
    BaseClass,
}
