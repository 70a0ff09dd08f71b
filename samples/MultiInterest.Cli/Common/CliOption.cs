using System.CommandLine;

namespace MultiInterest.Cli.Common;

/// <summary>
/// An option with the value it takes when absent. The fallback is kept here, not in System.CommandLine's default value,
/// so that --help shows it as written by <see cref="Opt"/> (invariant culture, the command-line spelling of an enum)
/// and the binding code reads the same value: one definition of each default.
/// </summary>
/// <typeparam name="T">The option's value type.</typeparam>
internal class CliOption<T> : Option<T>
{
    /// <summary>Creates the option <paramref name="name"/> taking <paramref name="fallback"/> when absent.</summary>
    public CliOption(string name, T fallback) : base(name) => Fallback = fallback;

    /// <summary>The value when the option is not given.</summary>
    public T Fallback { get; }
}

/// <summary>A path option naming a file the command reads (<see cref="Opt.CheckInputFiles"/> checks that it exists).</summary>
internal sealed class InputFileOption(string name) : CliOption<string?>(name, null);
