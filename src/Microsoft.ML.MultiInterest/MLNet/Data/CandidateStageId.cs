using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Which fitted retrieval stage produced a candidate column: a fingerprint of the stage (its method, settings, M and the lists
/// computed at Fit), carried as an annotation of its Candidates column, kept by <c>CopyColumns</c>, and saved with the stage.
/// A <see cref="RankFusionTransformer"/> reads it from its source columns at Fit, so a recommender can serve the fusion from the
/// very stages that fill those columns, however they were renamed. Content-based, so the same fit gives the same id (and
/// two stages of one pipeline, which differ in method, settings or lists, get different ones).
/// </summary>
internal static class CandidateStageId
{
    /// <summary>The annotation's name.</summary>
    public const string Annotation = "Microsoft.ML.MultiInterest.CandidateStage";

    /// <summary>FNV-1a over the stage's description and a spread sample of its fitted lists, as 16 hex digits.</summary>
    public static string Of(CandidateMethod method, RetrievalSettings settings, double alpha, int candidates, IReadOnlyList<int> users, RankedLists lists)
    {
        ulong hash = 14695981039346656037UL;
        void Add(ulong value)
        {
            for (int b = 0; b < 8; b++)
            {
                hash ^= (value >> (8 * b)) & 0xFF;
                hash *= 1099511628211UL;
            }
        }
        // The settings record's text formats its numbers in the thread's culture: made invariant, a fit hashes alike in any culture.
        foreach (char c in Engine.InvariantText.Of(() => $"{method}|{settings}|{alpha.ToString("R", CultureInfo.InvariantCulture)}|{candidates}|{users.Count}")) Add(c);
        // The lists of about a thousand users spread over all of them tell two stages apart; hashing every list would cost a
        // pass over users x M entries on the first Transform of a large model.
        int step = Math.Max(1, users.Count / 1024);
        for (int q = 0; q < users.Count; q += step)
        {
            Add((ulong)users[q]);
            foreach (int item in lists.IndicesOf(q)) Add((ulong)item);
        }
        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>The stage id a column carries, or null when it has none (not a retriever's output, or a loaded chain's).</summary>
    public static string? Read(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(Annotation) is not { Type: TextDataViewType }) return null;
        ReadOnlyMemory<char> value = default;
        column.Annotations.GetValue(Annotation, ref value);
        return value.ToString();
    }
}
