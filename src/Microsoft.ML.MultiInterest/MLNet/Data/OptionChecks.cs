namespace Microsoft.ML.MultiInterest;

/// <summary>Option checks whose exceptions name the offending option, as ML.NET's trainers do.</summary>
internal static class OptionChecks
{
    public static void ColumnName(string? value, string option)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"{option} must name a column.", option);
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
