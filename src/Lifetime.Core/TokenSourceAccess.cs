using System.Threading;
#if NET8_0_OR_GREATER && !LIFETIME_HOOKS
using System.Runtime.CompilerServices;
#else
using System.Reflection;
#endif

namespace Lifetime;

/// <summary>
/// Reads the source behind a token, which <see cref="CancellationToken"/> does not expose, so that
/// <see cref="TokenOwner.GetEndCause"/> can tell an owner's own tokens apart without a table per renew.
/// </summary>
/// <remarks>
/// The hooked build (tests only) takes the reflection path on every target: Coyote's rewriter
/// (tests/Lifetime.Core.Coyote.Tests) fails on a method without a body, such as an
/// <c>[UnsafeAccessor]</c> extern.
/// </remarks>
internal static class TokenSourceAccess
{
#if NET8_0_OR_GREATER && !LIFETIME_HOOKS
    /// <summary>The token's source, or <see langword="null"/> for <see cref="CancellationToken.None"/>.</summary>
    public static CancellationTokenSource? SourceOf(CancellationToken token) => SourceField(ref token);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_source")]
    private static extern ref CancellationTokenSource? SourceField(ref CancellationToken token);
#else
    // netstandard2.1 (Unity's Mono among others): the token's only field of the source's type, whatever the
    // runtime names it. Not on a hot path: only GetEndCause reads it.
    private static readonly FieldInfo? s_sourceField = FindSourceField();

    /// <summary>The token's source, or <see langword="null"/> for <see cref="CancellationToken.None"/> or a runtime whose token has no such field.</summary>
    public static CancellationTokenSource? SourceOf(CancellationToken token) => s_sourceField?.GetValue(token) as CancellationTokenSource;

    private static FieldInfo? FindSourceField()
    {
        foreach (var field in typeof(CancellationToken).GetFields(BindingFlags.Instance | BindingFlags.NonPublic))
        {
            if (field.FieldType == typeof(CancellationTokenSource))
            {
                return field;
            }
        }

        return null;
    }
#endif
}
