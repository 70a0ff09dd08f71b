using System.CommandLine;
using System.Globalization;

namespace MultiInterest.Cli.Common;

/// <summary>A library option refused after parsing, said in the command line's terms.</summary>
internal static class OptionErrors
{
    /// <summary>
    /// The usage error for <paramref name="e"/>, raised by a <paramref name="component"/> options object the command filled: the
    /// library's option name and first sentence (without ".NET's (Parameter ...)" suffix), and the flag that gave the value when
    /// exactly one given flag holds it (the library knows its own names, not the command line's).
    /// </summary>
    /// <param name="component">The options object's name, for the message.</param>
    /// <param name="e">The refusal.</param>
    /// <param name="r">The parsed command line.</param>
    /// <param name="flags">
    /// The flag of each library option whose flag the command knows (by option name): named even when another given flag
    /// holds the same value, where the search by value would find two and name none.
    /// </param>
    public static UsageException Usage(string component, ArgumentException e, ParseResult r, IReadOnlyDictionary<string, Option>? flags = null)
    {
        string message = e.Message.Split(" (Parameter")[0].Split(Environment.NewLine)[0];
        string? flag = e.ParamName != null && flags != null && flags.TryGetValue(e.ParamName, out var known) ? known.Name
            : e is ArgumentOutOfRangeException { ActualValue: { } actual } ? FlagHolding(r, actual) : null;
        return new UsageException($"{component} option {e.ParamName}{(flag != null ? $" (from {flag})" : "")}: {message}");
    }

    /// <summary>The one option given on the command line whose value is <paramref name="actual"/>, or null.</summary>
    private static string? FlagHolding(ParseResult r, object actual)
    {
        if (!TryNumber(actual, out double wanted)) return null;
        var holding = r.CommandResult.Command.Options
            .Where(o => r.Given(o) && r.GetResult(o)!.GetValueOrDefault<object>() is { } v && TryNumber(v, out double given) && (given == wanted || (float)given == (float)wanted))
            .Select(o => o.Name).Distinct().ToArray();
        return holding.Length == 1 ? holding[0] : null;
    }

    private static bool TryNumber(object value, out double number)
    {
        number = value switch
        {
            double d => d,
            float f => f,
            int i => i,
            long l => l,
            _ => double.NaN,
        };
        return !double.IsNaN(number);
    }
}
