using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;

namespace Lifetime.Tests;

/// <summary>
/// The public surface of Lifetime.Core, compared with the approved snapshot beside this file. A change
/// to the surface fails here until PublicApi.approved.txt is updated on purpose (the failure says
/// where it wrote the received surface).
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_MatchesApprovedSnapshot()
    {
        var actual = Describe(typeof(TokenOwner).Assembly);
        var approved = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "PublicApi.approved.txt")).ReplaceLineEndings("\n");

        if (approved != actual)
        {
            var received = Path.Combine(AppContext.BaseDirectory, "PublicApi.received.txt");
            File.WriteAllText(received, actual);
            Assert.Fail($"The public API changed. If that is intended, copy {received} over tests/Lifetime.Core.Tests/PublicApi.approved.txt.");
        }
    }

    [Fact]
    public void PublicApi_ContractNamesPresent()
    {
        var owner = typeof(TokenOwner);
        Assert.True(typeof(IAsyncDisposable).IsAssignableFrom(owner));
        Assert.True(typeof(IDisposable).IsAssignableFrom(owner));
        foreach (var name in new[] { "RenewAsync", "RenewAfterAsync", "RenewLinkedAsync", "RenewLinkedAfterAsync", "RenewOwnedAsync", "CancelAndDisposeAsync", "TouchAsync", "IsCurrent", "CreateSlot", "CancelAllAsync", "DisposeAsync", "Dispose" })
        {
            Assert.NotNull(owner.GetMethod(name));
        }

        foreach (var name in new[] { "RenewAsync", "RenewAfterAsync", "RenewLinkedAsync", "RenewLinkedAfterAsync", "RenewOwnedAsync", "CancelAndDisposeAsync", "TouchAsync", "IsCurrent", "DisposeAsync", "Dispose" })
        {
            Assert.NotNull(typeof(TokenSlot).GetMethod(name));
        }

        Assert.NotNull(owner.GetProperty("Completion"));
        Assert.NotNull(typeof(TokenOwnerOptions).GetProperty("ThrowOnCancelException"));
        Assert.NotNull(typeof(TokenOwnerOptions).GetProperty("OnCancelException"));
        Assert.NotNull(typeof(TokenOwnerOptions).GetProperty("TimeProvider"));
    }

    internal static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var bases = new[] { type.BaseType }
                .Where(b => b is not null && b != typeof(object) && b != typeof(Enum) && b != typeof(ValueType))
                .Concat(type.GetInterfaces().Where(i => i.IsVisible).OrderBy(i => i.FullName, StringComparer.Ordinal))
                .Select(t => Name(t!));
            var kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : type.IsSealed ? "sealed class" : "class";
            text.Append(kind).Append(' ').Append(type.FullName);
            var list = string.Join(", ", bases);
            if (list.Length > 0)
            {
                text.Append(" : ").Append(list);
            }

            text.Append('\n');
            const BindingFlags Flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(Flags).Select(Member).Where(m => m is not null).OrderBy(m => m, StringComparer.Ordinal))
            {
                text.Append("  ").Append(member).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string? Member(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"ctor({Parameters(c)})",
        MethodInfo { IsSpecialName: true } => null,
        MethodInfo m => $"{(m.IsStatic ? "static " : string.Empty)}{Name(m.ReturnType)} {m.Name}({Parameters(m)})",
        PropertyInfo p => $"{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : string.Empty)}{(p.SetMethod?.IsPublic == true ? "set; " : string.Empty)}}}",
        FieldInfo { IsSpecialName: true } => null,
        FieldInfo f => f.IsLiteral ? $"{f.Name} = {f.GetRawConstantValue()}" : $"{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        _ => null,
    };

    private static string Parameters(MethodBase method) => string.Join(", ", method.GetParameters().Select(p =>
        $"{(p.IsDefined(typeof(ParamArrayAttribute)) ? "params " : string.Empty)}{Name(p.ParameterType)} {p.Name}"));

    private static string Name(Type type)
    {
        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }

        var name = type.GetGenericTypeDefinition().FullName!;
        return $"{name[..name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>";
    }
}
