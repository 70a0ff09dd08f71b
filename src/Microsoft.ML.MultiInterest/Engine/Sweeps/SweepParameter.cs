namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>One option a sweep varies and the values it tries (in the order given; numbers should be ordered for the local search).</summary>
public sealed class SweepParameter
{
    internal SweepParameter(string name, SweepStage stage, bool numeric, IReadOnlyList<string> values)
    {
        Name = name;
        Stage = stage;
        Numeric = numeric;
        Values = values;
    }

    /// <summary>The option's name, e.g. "lambda" (see <see cref="SweepSearchSpace.KnownParameters"/>).</summary>
    public string Name { get; }

    /// <summary>The pipeline stage the option belongs to: a change refits this stage and the ones after it.</summary>
    public SweepStage Stage { get; }

    /// <summary>Whether the values are numbers (ordered steps for the local search).</summary>
    public bool Numeric { get; }

    /// <summary>The values tried, as invariant text.</summary>
    public IReadOnlyList<string> Values { get; }
}
