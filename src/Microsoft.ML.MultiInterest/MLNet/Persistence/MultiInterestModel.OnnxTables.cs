using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The tables beside an ONNX export's graphs: the row-to-id files, the training history and the popular items a client of the
/// graphs alone serves with, and the check that the ids fit them.
/// </summary>
public sealed partial class MultiInterestModel
{
    /// <summary>
    /// Writes <see cref="UserIdsFileName"/> (the rows of the users with training edges: a key without any has a zero row in the
    /// graphs and is left out, so a client serves it as an unknown user) and <see cref="ItemIdsFileName"/> (every item row).
    /// </summary>
    private static void WriteIdFiles(string directory, SavedGraphEmbedding embedding)
    {
        WriteIds(Path.Combine(directory, UserIdsFileName), "user", embedding.UserIds, embedding.UserEmbeddings.Contains);
        WriteIds(Path.Combine(directory, ItemIdsFileName), "item", embedding.ItemIds, _ => true);
    }

    /// <summary>
    /// Writes the files a client of the graphs alone serves with, both from <see cref="TrainingHistory"/> (read once):
    /// <see cref="TrainingHistoryFileName"/>, its edges by user row, items ascending; and <see cref="PopularItemsFileName"/>,
    /// the items <paramref name="stage"/> can recommend by their degree in it, most first and ties to the lower row, the order
    /// <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/> takes for a user it does not know. A model saved without its history
    /// has neither: files left there by an earlier export are removed, so that they cannot pass for this model's.
    /// </summary>
    private void WriteHistoryFiles(string directory, SavedCandidates stage)
    {
        string historyPath = Path.Combine(directory, TrainingHistoryFileName), popularPath = Path.Combine(directory, PopularItemsFileName);
        if (stage.Serving is not { } saved)
        {
            File.Delete(historyPath);
            File.Delete(popularPath);
            return;
        }
        var history = TrainingHistory();
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        using (var writer = new StreamWriter(historyPath))
        {
            writer.WriteLine("user_row\titem_row");
            for (int u = 0; u < history.UserCount; u++)
                foreach (int item in history.ItemsOf(u)) writer.WriteLine(string.Create(invariant, $"{u}\t{item}"));
        }
        var ids = EmbeddingOf(stage).ItemIds;
        var degrees = history.ItemDegrees();
        using (var writer = new StreamWriter(popularPath))
        {
            writer.WriteLine("row\titem\tdegree");
            foreach (int row in PopularItems.RankAmong(degrees, saved.ServingItemKeys.Select(k => (int)k - 1)))
                writer.WriteLine(string.Create(invariant, $"{row}\t{ids[row]}\t{degrees[row]}"));
        }
    }

    private static void WriteIds(string path, string header, IReadOnlyList<string> ids, Func<int, bool> listed)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine($"row\t{header}");
        for (int r = 0; r < ids.Count; r++)
            if (listed(r)) writer.WriteLine($"{r}\t{ids[r]}");
    }

    /// <summary>Refuses, before anything is written, ids that the id files (one id per line after a TAB) cannot hold (<see cref="IO.TabSeparatedId"/>).</summary>
    private static void CheckIdsWritable(string directory, SavedGraphEmbedding embedding)
    {
        Check(embedding.UserIds, "user", Path.Combine(directory, UserIdsFileName));
        Check(embedding.ItemIds, "item", Path.Combine(directory, ItemIdsFileName));

        static void Check(IReadOnlyList<string> ids, string what, string file)
        {
            if (IO.TabSeparatedId.FirstRefusal(file, ids, $"{what} id", r => $"of key {r + 1}") is { } refusal)
                throw new NotSupportedException(refusal + " Map such ids to ones without before MapValueToKey, and fit again.");
        }
    }
}
