namespace Lifetime.Extensions;

/// <summary>
/// Settings of the owners an <see cref="ITokenOwnerFactory"/> creates. Registered as options by
/// <see cref="TokenOwnerServiceCollectionExtensions.AddTokenOwners"/>, so they can also be bound from
/// configuration (<c>services.Configure&lt;TokenOwnerFactoryOptions&gt;(section)</c>). Read once per
/// <see cref="ITokenOwnerFactory.Create"/>.
/// </summary>
public sealed class TokenOwnerFactoryOptions
{
    /// <summary>
    /// Gets or sets whether each owner's <see cref="TokenOwnerOptions.OuterToken"/> is the host's
    /// <c>IHostApplicationLifetime.ApplicationStopping</c>, so that every owner's life, and every token it
    /// handed out, ends as soon as the host starts stopping.
    /// </summary>
    /// <value>Default <see langword="true"/>. Without an <c>IHostApplicationLifetime</c> in the container it has no effect.</value>
    public bool BindToApplicationStopping { get; set; } = true;

    /// <summary>Gets or sets where the owners run cancellation callbacks (see <see cref="TokenOwnerOptions.CallbackPlacement"/>).</summary>
    /// <value>Default <see cref="CallbackPlacement.Inline"/>.</value>
    public CallbackPlacement CallbackPlacement { get; set; } = CallbackPlacement.Inline;

    /// <summary>
    /// Gets or sets whether exceptions of cancellation callbacks propagate to the caller that ended the token
    /// (see <see cref="TokenOwnerOptions.ThrowOnCancelException"/>). Those nobody waits for are logged either way.
    /// </summary>
    /// <value>Default <see langword="false"/>: every callback exception is logged (event <see cref="TokenOwnerLogEvents.CallbackException"/>) and swallowed.</value>
    public bool ThrowOnCancelException { get; set; }
}
