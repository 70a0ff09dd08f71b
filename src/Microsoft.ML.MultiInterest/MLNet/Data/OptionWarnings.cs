namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Options that cannot be honoured in full on the data at hand but still give a usable model: they are clamped in
/// effect (the output columns keep their declared size, with padding) and a warning goes to the MLContext's log.
/// </summary>
internal static class OptionWarnings
{
    /// <summary>More candidates (M) than items with a training edge: lists hold at most that many items, the rest is padding (key 0, score NaN).</summary>
    /// <returns>Whether the warning was logged.</returns>
    public static bool Candidates(MLContext context, string component, int candidates, int items)
    {
        if (candidates <= items) return false;
        Logging.Warning(context, component, $"Candidates (M = {candidates}) exceeds the {items} items with a training edge: every list holds at most {items} "
            + "items (fewer after the user's seen items are excluded); the remaining slots of the candidates column are padding (key 0, score NaN).");
        return true;
    }

    /// <summary>
    /// Users whose vector is all zeros: every item scores 0 for them, so their lists are the lowest item keys, not a
    /// ranking (embeddings made elsewhere may hold such rows for users they never saw).
    /// </summary>
    /// <returns>Whether the warning was logged.</returns>
    public static bool ZeroUserVectors(MLContext context, string component, KeyedEmbeddings? vectors, string column)
    {
        if (vectors == null) return false;
        int zero = 0;
        for (int j = 0; j < vectors.Count; j++)
            if (!vectors.Vectors.ReadRow(j).ContainsAnyExcept(0f)) zero++;
        if (zero == 0) return false;
        Logging.Warning(context, component, $"{zero} of the {vectors.Count} users have an all-zero vector in column '{column}': every item scores 0 for them, so "
            + "their lists are the lowest item keys, not a ranking.");
        return true;
    }

    /// <summary>More mixture components (m) than clusters: a user has at most one component per cluster, the rest is padding (weight 0).</summary>
    /// <returns>Whether the warning was logged.</returns>
    public static bool Components(MLContext context, string component, int components, int clusters)
    {
        if (components <= clusters) return false;
        Logging.Warning(context, component, $"Components (m = {components}) exceeds the {clusters} item clusters: every mixture has at most {clusters} "
            + "components; the remaining slots of the mixture columns are padding (weight 0).");
        return true;
    }
}
