using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace MultiInterest.Cli.Common;

/// <summary>
/// Builds the options of the CLI and the benchmarks: numbers in the invariant culture, a bad value rejected at parse
/// time with a message naming the option, and the default appended to the description as <c>[default: x]</c>.
/// </summary>
internal static class Opt
{
    /// <summary>Longest value list shown beside an option's name in --help.</summary>
    private const int MaxHelpName = 28;

    /// <summary>An integer option; <paramref name="min"/> and <paramref name="max"/> are checked at parse time; <paramref name="suffixes"/> accepts k and M (20M = 20,000,000).</summary>
    public static CliOption<int> Int(string name, int fallback, string description, int min = int.MinValue, string? shown = null, bool suffixes = false, int max = int.MaxValue) =>
        Make(name, fallback, description, "N", shown ?? Text(fallback), token =>
        {
            if (!TryInt(token, suffixes, out int value)) return (false, 0, $"{name} must be an integer{(suffixes ? " (k and M suffixes allowed)" : "")}, not '{token}'.");
            if (value < min) return (false, 0, $"{name} must be at least {Text(min)}, not {token}.");
            return value > max ? (false, 0, $"{name} must be at most {max.ToString("N0", CultureInfo.InvariantCulture)}, not {token}.") : (true, value, null);
        });

    /// <summary>
    /// A finite floating-point option within [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="below"/> and
    /// <paramref name="above"/> make an end open (a share of the edges held out cannot be all of them), so the range is refused
    /// at parse time, by the option's name, not later by the option the library reads it into.
    /// </summary>
    public static CliOption<double> Double(string name, double fallback, string description, double min = double.NegativeInfinity, double max = double.PositiveInfinity,
        string? shown = null, bool above = false, bool below = false) =>
        Make(name, fallback, description, "X", shown ?? Text(fallback), token =>
        {
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
                return (false, 0, $"{name} must be a number, not '{token}'.");
            if (value < min || (above && value == min)) return (false, 0, $"{name} must be {(above ? "above" : "at least")} {Text(min)}, not {token}.");
            if (value > max || (below && value == max)) return (false, 0, $"{name} must be {(below ? "below" : "at most")} {Text(max)}, not {token}.");
            return (true, value, null);
        });

    /// <summary>A single-precision option (parsed as <see cref="Double"/>, then narrowed).</summary>
    public static CliOption<float> Float(string name, float fallback, string description, double min = double.NegativeInfinity, string? shown = null) =>
        Make(name, fallback, description, "X", shown ?? Text(fallback), token =>
            double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
                ? value < min ? (false, 0f, $"{name} must be at least {Text(min)}, not {token}.") : (true, (float)value, null)
                : (false, 0f, $"{name} must be a number, not '{token}'."));

    /// <summary>
    /// One of an enum's values, spelled by <paramref name="spell"/> (kebab case on the command line); the enum's own
    /// name is accepted too, case-insensitively, and so are <paramref name="aliases"/> (lower case). <paramref name="choices"/>
    /// limits the values offered (default: all).
    /// </summary>
    public static CliOption<T> Choice<T>(string name, T fallback, Func<T, string> spell, string description, IReadOnlyList<T>? choices = null,
        IReadOnlyDictionary<string, T>? aliases = null)
        where T : struct, Enum
    {
        var values = choices ?? Enum.GetValues<T>();
        string list = string.Join("|", values.Select(spell));
        // A long list would widen the whole option column of --help: it moves into the description.
        if (list.Length > MaxHelpName)
        {
            description = $"{description} One of: {string.Join(", ", values.Select(spell))}.";
            list = "NAME";
        }
        return Make(name, fallback, description, list, spell(fallback), token =>
        {
            foreach (var v in values)
                if (string.Equals(spell(v), token, StringComparison.OrdinalIgnoreCase) || string.Equals(v.ToString(), token, StringComparison.OrdinalIgnoreCase))
                    return (true, v, null);
            if (aliases != null && aliases.TryGetValue(token.ToLowerInvariant(), out var alias)) return (true, alias, null);
            return (false, fallback, $"{name} must be one of {string.Join(", ", values.Select(spell))}, not '{token}'.");
        });
    }

    /// <summary>A string option read by <paramref name="parse"/>, which returns an error message for a bad value.</summary>
    public static CliOption<T> Parsed<T>(string name, T fallback, string description, string helpName, string? shown, Func<string, (bool Ok, T Value, string? Error)> parse) =>
        Make(name, fallback, description, helpName, shown, parse);

    /// <summary>A comma list of numbers within [<paramref name="min"/>, <paramref name="max"/>], empty unless given (extra rows to report).</summary>
    public static CliOption<float[]> FloatList(string name, float min, float max, string description) =>
        Make(name, Array.Empty<float>(), description, "X,Y,...", null, text =>
        {
            var values = new List<float>();
            foreach (string x in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!float.TryParse(x, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float v) || !(v >= min && v <= max))
                    return (false, Array.Empty<float>(), $"{name} takes numbers within {Text(min)}..{Text(max)}, not '{x}'.");
                values.Add(v);
            }
            return (true, values.ToArray(), null);
        });

    /// <summary>A comma list of finite numbers within [<paramref name="min"/>, <paramref name="max"/>] (a grid's values, one row each), <paramref name="fallback"/> unless given.</summary>
    public static CliOption<double[]> NumberList(string name, double[] fallback, string description, double min = double.NegativeInfinity, double max = double.PositiveInfinity) =>
        Make(name, fallback, description, "X[,X...]", string.Join(",", fallback.Select(Text)), text =>
        {
            var values = new List<double>();
            foreach (string part in text.Split(','))
            {
                if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || !(v >= min && v <= max))
                    return (false, fallback, $"{name} takes a comma list of numbers{Range(min, max)}, not '{text}'.");
                values.Add(v);
            }
            return (true, values.ToArray(), null);
        });

    /// <summary>A comma list of integers of at least <paramref name="min"/> (a grid's values, one row each), <paramref name="fallback"/> unless given.</summary>
    public static CliOption<int[]> IntList(string name, int[] fallback, string description, int min = int.MinValue) =>
        Make(name, fallback, description, "N[,N...]", string.Join(",", fallback.Select(Text)), text =>
        {
            var values = new List<int>();
            foreach (string part in text.Split(','))
            {
                if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min)
                    return (false, fallback, $"{name} takes a comma list of integers{(min == int.MinValue ? "" : $" of at least {min}")}, not '{text}'.");
                values.Add(v);
            }
            return (true, values.ToArray(), null);
        });

    private static string Range(double min, double max) =>
        double.IsNegativeInfinity(min) && double.IsPositiveInfinity(max) ? "" : $" within {Text(min)}..{Text(max)}";

    /// <summary>A file or directory path (or other text), optional unless <paramref name="required"/>.</summary>
    public static CliOption<string?> Path(string name, string description, string helpName = "FILE", bool required = false, string? shown = null)
    {
        var option = new CliOption<string?>(name, null) { Description = WithDefault(description, shown), HelpName = helpName, Required = required };
        return option;
    }

    /// <summary>
    /// A file the command reads (<see cref="CheckInputFiles"/> checks it before the command runs), optional unless
    /// <paramref name="required"/>.
    /// </summary>
    public static CliOption<string?> InputFile(string name, string description, string helpName = "FILE", bool required = false) =>
        new InputFileOption(name) { Description = description, HelpName = helpName, Required = required };

    /// <summary>
    /// Checks that every input file given to the parsed command exists, so a typo fails before minutes of fitting rather
    /// than after them, naming the option. A failure on the inputs (exit 1), not a usage error: the command line is
    /// well formed, and a documented command parses without its files.
    /// </summary>
    /// <exception cref="FileNotFoundException">An input file option names no file.</exception>
    public static void CheckInputFiles(ParseResult parse)
    {
        foreach (var option in parse.CommandResult.Command.Options)
        {
            if (option is not InputFileOption || parse.GetResult(option) is not { Implicit: false, Tokens: [{ Value: var path }] } || File.Exists(path)) continue;
            throw new FileNotFoundException(Directory.Exists(path) ? $"{option.Name} '{path}' is a folder: give a file." : $"{option.Name}: the file '{path}' does not exist.", path);
        }
    }

    /// <summary>Every input file given to the parsed command, as (option, path): what its outputs must not overwrite.</summary>
    public static (string Option, string? Path)[] InputFiles(ParseResult parse) =>
        [.. parse.CommandResult.Command.Options
            .Where(o => o is InputFileOption && parse.GetResult(o) is { Implicit: false, Tokens: [_] })
            .Select(o => (o.Name, (string?)parse.GetResult(o)!.Tokens[0].Value))];

    /// <summary>A switch that takes no value.</summary>
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>The value of <paramref name="option"/>, or its fallback when it was not given.</summary>
    public static T Value<T>(this ParseResult result, CliOption<T> option) =>
        result.GetResult(option) is { Implicit: false } ? result.GetValue(option)! : option.Fallback;

    /// <summary>Whether <paramref name="option"/> was given on the command line.</summary>
    public static bool Given(this ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    /// <summary>A number as the command line spells it (invariant culture, shortest round trip).</summary>
    public static string Text(double value)
    {
        // A single-precision default widened to double (0.05f -> 0.05000000074505806) is shown as the float it was written as.
        float narrow = (float)value;
        return (double)narrow == value ? Text(narrow) : value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <inheritdoc cref="Text(double)"/>
    public static string Text(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Text(double)"/>
    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static CliOption<T> Make<T>(string name, T fallback, string description, string helpName, string? shown, Func<string, (bool Ok, T Value, string? Error)> parse) =>
        new(name, fallback)
        {
            Description = WithDefault(description, shown),
            HelpName = helpName,
            CustomParser = result =>
            {
                string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                var (ok, value, error) = parse(token);
                if (!ok) result.AddError(error!);
                return value;
            },
        };

    private static string WithDefault(string description, string? shown) => shown == null ? description : $"{description} [default: {shown}]";

    private static bool TryInt(string token, bool suffixes, out int value)
    {
        value = 0;
        if (token.Length == 0) return false;
        long scale = suffixes ? char.ToUpperInvariant(token[^1]) switch { 'K' => 1_000, 'M' => 1_000_000, _ => 1 } : 1;
        if (scale == 1) return int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
        if (!double.TryParse(token[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) return false;
        double scaled = v * scale;
        if (scaled != Math.Floor(scaled) || scaled > int.MaxValue || scaled < int.MinValue) return false;
        value = (int)scaled;
        return true;
    }
}
