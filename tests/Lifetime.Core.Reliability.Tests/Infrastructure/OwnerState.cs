using System;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Threading.Channels;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>A diagnostic dump of an owner's private fields, for the message of a failed schedule.</summary>
public static class OwnerState
{
    public static string Describe(TokenOwner owner)
    {
        var text = new StringBuilder("owner state:");
        foreach (var field in typeof(TokenOwner).GetFields(BindingFlags.Instance | BindingFlags.NonPublic))
        {
            try
            {
                Append(text, field, field.GetValue(owner));
            }
#pragma warning disable CA1031 // A diagnostic must not hide the failure it describes.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                text.Append(CultureInfo.InvariantCulture, $" {field.Name}=<{ex.GetType().Name}: {ex.Message}>");
            }
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, FieldInfo field, object? value)
    {
        {
            switch (value)
            {
                case Channel<IOwnerMessage> mailbox:
                    text.Append(CultureInfo.InvariantCulture, $" mailbox(completion={mailbox.Reader.Completion.Status}, canPeek={mailbox.Reader.TryPeek(out _)})");
                    break;
                case DrainGate gate:
                    text.Append(CultureInfo.InvariantCulture, $" gate(held={typeof(DrainGate).GetField("_held", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(gate)})");
                    break;
                case bool or int or long:
                    text.Append(CultureInfo.InvariantCulture, $" {field.Name}={value}");
                    break;
                case System.Threading.Tasks.TaskCompletionSource<bool> completion:
                    text.Append(CultureInfo.InvariantCulture, $" {field.Name}={completion.Task.Status}");
                    break;
                default:
                    break;
            }
        }
    }
}
