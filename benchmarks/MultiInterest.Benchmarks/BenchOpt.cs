using System.CommandLine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>The harness's shared option helpers: counts take k and M suffixes (<c>20M</c> = 20,000,000).</summary>
internal static class BenchOpt
{
    /// <summary>An integer option that accepts k and M suffixes, as every count of the harness does.</summary>
    public static CliOption<int> Count(string name, int fallback, string description, int min = int.MinValue, string? shown = null) =>
        Opt.Int(name, fallback, description, min, shown, suffixes: true);

    /// <summary>A <see cref="Count"/> the command cannot run without: required, and no default shown in --help.</summary>
    public static CliOption<int> RequiredCount(string name, string description, int min = int.MinValue)
    {
        var option = Count(name, 0, description, min);
        option.Required = true;
        option.Description = description;
        return option;
    }

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
