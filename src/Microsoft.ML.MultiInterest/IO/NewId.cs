namespace Microsoft.ML.MultiInterest.IO;

/// <summary>
/// The rule for an id the library adds to a model after the fit (<see cref="MultiInterestRecommender.FoldInNewItems(IEnumerable{ValueTuple{string, string}}, int)"/>):
/// not blank, no white space at its start or end, and <see cref="TabSeparatedId"/>'s rule (no TAB, no line break). Ids are
/// kept as written, so " 7" next to "7" would be a twin of it, served beside it.
/// </summary>
internal static class NewId
{
    /// <summary>Whether <paramref name="id"/> starts or ends with white space (the data-frame readers warn of such ids).</summary>
    public static bool Padded(string id) => id.Length > 0 && (char.IsWhiteSpace(id[0]) || char.IsWhiteSpace(id[^1]));

    /// <summary>What keeps <paramref name="id"/> from being added as a new id, or null if nothing does.</summary>
    public static string? Problem(string? id)
    {
        if (id is { Length: > 0 } && string.IsNullOrWhiteSpace(id)) return "is blank (white space only)";
        if (TabSeparatedId.Problem(id) is { } problem) return problem;
        return Padded(id!) ? "has white space at its start or end" : null;
    }
}
