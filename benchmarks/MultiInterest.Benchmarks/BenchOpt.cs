using System.CommandLine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>The harness's shared option helpers: counts take k and M suffixes (<c>20M</c> = 20,000,000).</summary>
internal static class BenchOpt
{
    /// <summary>An integer option that accepts k and M suffixes, as every count of the harness does.</summary>
    public static CliOption<int> Count(string name, int fallback, string description, int min = int.MinValue, string? shown = null) =>
        Opt.Int(name, fallback, description, min, shown, suffixes: true);

    /// <summary>A comma list of numbers within [<paramref name="min"/>, <paramref name="max"/>] (a grid's values), <paramref name="fallback"/> unless given.</summary>
    public static CliOption<double[]> Numbers(string name, double[] fallback, string description, double min, double max) =>
        Opt.Parsed(name, fallback, description, "X[,X...]", string.Join(",", fallback.Select(Opt.Text)), text =>
        {
            var values = new List<double>();
            foreach (string part in text.Split(','))
            {
                if (!double.TryParse(part, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) || !(v >= min && v <= max))
                    return (false, fallback, $"{name} takes a comma list of numbers within {Opt.Text(min)}..{Opt.Text(max)}, not '{text}'.");
                values.Add(v);
            }
            return (true, values.ToArray(), null);
        });

    /// <summary>A comma list of integers of at least <paramref name="min"/> (a grid's values), <paramref name="fallback"/> unless given.</summary>
    public static CliOption<int[]> Counts(string name, int[] fallback, string description, int min) =>
        Opt.Parsed(name, fallback, description, "N[,N...]", string.Join(",", fallback.Select(Opt.Text)), text =>
        {
            var values = new List<int>();
            foreach (string part in text.Split(','))
            {
                if (!int.TryParse(part, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int v) || v < min)
                    return (false, fallback, $"{name} takes a comma list of integers of at least {min}, not '{text}'.");
                values.Add(v);
            }
            return (true, values.ToArray(), null);
        });

    /// <summary>Adds <paramref name="options"/> to <paramref name="command"/>.</summary>
    public static Command With(this Command command, IEnumerable<Option> options)
    {
        foreach (var option in options) command.Options.Add(option);
        return command;
    }

    /// <summary>Wraps a library validation failure as a usage error naming the setting.</summary>
    public static void Validate(Action validate, string what)
    {
        try
        {
            validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{what} {e.ParamName}: {e.Message.Split(Environment.NewLine)[0].Split(" (Parameter")[0]}");
        }
    }
}
