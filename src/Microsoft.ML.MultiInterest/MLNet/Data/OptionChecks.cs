namespace Microsoft.ML.MultiInterest;

/// <summary>Option checks whose exceptions name the offending option, as ML.NET's trainers do.</summary>
internal static class OptionChecks
{
    public static void ColumnName(string? value, string option)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"{option} must name a column.", option);
    }

    /// <summary>
    /// Refuses an output column named like another output of the stage (the later would hide the earlier) or like an input
    /// column the stage reads (the output would hide it from every later stage, and the evaluator or a later stage would then
    /// find a column of another type under its name). Null names are options left unset and are skipped.
    /// </summary>
    public static void DistinctOutputs(IReadOnlyList<(string? Name, string Option)> outputs, IReadOnlyList<(string? Name, string Option)> inputs)
    {
        for (int j = 0; j < outputs.Count; j++)
        {
            var (name, option) = outputs[j];
            if (name == null) continue;
            for (int k = 0; k < j; k++)
            {
                if (outputs[k].Name == name)
                    throw new ArgumentException($"{outputs[k].Option} and {option} both name the output column '{name}': a stage's outputs need distinct names (the later would hide the earlier).", option);
            }
            foreach (var (input, inputOption) in inputs)
            {
                if (input == name)
                    throw new ArgumentException($"{option} names the output column '{name}', which is the input column of {inputOption}: the output would hide it from every "
                        + "later stage and from the evaluator. Give the output another name.", option);
            }
        }
    }

    public static void AtLeast(int value, int minimum, string option)
    {
        if (value < minimum) throw new ArgumentOutOfRangeException(option, value, $"{option} must be at least {minimum}.");
    }

    /// <summary>M of a retrieval stage or rank fusion, 1 to <see cref="Engine.RetrievalLimits.MaxCandidates"/>.</summary>
    public static void Candidates(int value, string option)
    {
        if (value < 1 || value > Engine.RetrievalLimits.MaxCandidates)
            throw new ArgumentOutOfRangeException(option, value, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{option} (M, the list length) must be within 1..{Engine.RetrievalLimits.MaxCandidates:N0}: every row of the candidates column holds M slots."));
    }

    public static void Within(int value, int minimum, int maximum, string option)
    {
        if (value < minimum || value > maximum) throw new ArgumentOutOfRangeException(option, value, $"{option} must be within {minimum}..{maximum}.");
    }

    public static void Threads(int value, string option)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(option, value, $"{option} must be 0 (all cores) or positive.");
        Engine.Parallelism.CheckAtMostMax(value, option);
    }

    public static void UnitInterval(double value, string option)
    {
        if (double.IsNaN(value) || value < 0 || value > 1) throw new ArgumentOutOfRangeException(option, value, $"{option} must lie in [0, 1].");
    }

    public static void NonNegativeFinite(double value, string option)
    {
        if (!double.IsFinite(value) || value < 0) throw new ArgumentOutOfRangeException(option, value, $"{option} must be finite and non-negative.");
    }

    public static void PositiveFinite(double value, string option)
    {
        if (!double.IsFinite(value) || value <= 0) throw new ArgumentOutOfRangeException(option, value, $"{option} must be finite and positive.");
    }
}
