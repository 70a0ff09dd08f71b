using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// <c>recommend --new-item-edges</c>: the loaded model's live recommender with the items added since the fit folded in
/// (<see cref="MultiInterestRecommender.FoldInNewItems(IEnumerable{ValueTuple{string, string}}, int)"/>), and what was done
/// with the file's edges, said in the log.
/// </summary>
internal static class NewItemEdges
{
    /// <summary>Reads the edges file, folds its new items into the recommender of <paramref name="model"/> (its <paramref name="stageColumn"/> stage, or the last) and logs the counts.</summary>
    public static NewItemsFoldIn FoldIn(MLContext ml, MultiInterestModel model, string? stageColumn, string path, int threads, TextWriter log, TextWriter warnings)
    {
        var edges = EdgeFile.Read(path);
        // A new item's edges are a set of users: weights are not read, and padded ids are other ids, as for training files.
        TrainingFileChecks.Warn(edges, path, "recommend --new-item-edges", warnings, TrainingWeights.NotOffered);
        var recommender = stageColumn == null ? ml.MultiInterest().CreateRecommender(model) : ml.MultiInterest().CreateRecommender(model, stageColumn);
        var clock = Stopwatch.StartNew();
        NewItemsFoldIn folded;
        try
        {
            folded = recommender.FoldInNewItems(edges.Select(e => (e.User, e.Item)), threads);
        }
        catch (NotSupportedException e)
        {
            throw new UsageException($"--new-item-edges: {e.Message}");
        }
        catch (ArgumentException e) when (e.ParamName == "edges")
        {
            throw new InvalidDataException($"--new-item-edges '{path}': {e.Message}");
        }
        log.WriteLine($"--new-item-edges '{path}': {Counted.Of(folded.FoldedItems.Count, "new item")} folded in from {Counted.Of(folded.FoldedEdges, "edge")} of users the model "
            + $"knows (the implicit-ALS item step against their vectors, {(folded.FittedObjective ? "its objective fitted to the trained items" : "the embedding's objective")}) "
            + $"in {clock.Elapsed.TotalSeconds:F2} s.");
        if (folded.KnownItemEdges > 0)
            log.WriteLine($"--new-item-edges '{path}': {Counted.Of(folded.KnownItemEdges, "edge")} of items the model knows (not read: their trained vectors are kept; "
                + "a user's fresh engagements belong in --history).");
        if (folded.UnknownUserEdges > 0)
            log.WriteLine($"--new-item-edges '{path}': {Counted.Of(folded.UnknownUserEdges, "edge")} of users the model has no trained vector for (not read).");
        if (folded.DuplicateEdges > 0)
            log.WriteLine($"--new-item-edges '{path}': {Counted.Of(folded.DuplicateEdges, "repeated edge")} (read once).");
        if (folded.ItemsLeftUnknown.Count > 0)
            warnings.WriteLine($"warning: --new-item-edges '{path}': {Counted.Of(folded.ItemsLeftUnknown.Count, "new item")} (the first '{folded.ItemsLeftUnknown[0]}') "
                + $"left unknown: none of {(folded.ItemsLeftUnknown.Count == 1 ? "its" : "their")} users is one the model has a trained vector for.");
        return folded;
    }

    /// <summary><paramref name="itemRows"/> with the folded items (at rows after the model's), so a history naming them is not counted as unknown.</summary>
    public static IReadOnlyDictionary<string, int> WithFolded(Dictionary<string, int> itemRows, NewItemsFoldIn? folded)
    {
        if (folded == null) return itemRows;
        var rows = new Dictionary<string, int>(itemRows, StringComparer.Ordinal);
        int next = itemRows.Count == 0 ? 0 : itemRows.Values.Max() + 1;
        foreach (string id in folded.FoldedItems) rows.TryAdd(id, next++);
        return rows;
    }
}
