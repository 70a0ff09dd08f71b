using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>What the ONNX scorers share: opening a directory's sessions all or none, and checking a call's users and exclusions.</summary>
internal static class OnnxScorerParts
{
    /// <summary>
    /// Opens a session per graph of <paramref name="directory"/>, checking that each file exists, loads (a file ONNX Runtime
    /// cannot read is an <see cref="InvalidDataException"/> naming it) and has the names the manifest lists; on any failure the
    /// sessions already opened are disposed.
    /// </summary>
    public static InferenceSession[] OpenSessions(string directory, OnnxSessionFactory? sessions, params OnnxServingGraph[] graphs) =>
        OpenSessions(directory, sessions, shared: null, graphs);

    /// <summary>As <see cref="OpenSessions(string, OnnxSessionFactory?, OnnxServingGraph[])"/>, giving each session the tables of <paramref name="shared"/> its graph holds.</summary>
    public static InferenceSession[] OpenSessions(string directory, OnnxSessionFactory? sessions, OnnxSharedTables? shared, params OnnxServingGraph[] graphs)
    {
        sessions ??= new OnnxSessionFactory();
        var opened = new List<InferenceSession>();
        try
        {
            foreach (var graph in graphs)
            {
                string path = Path.Combine(directory, graph.File);
                if (!OnnxVerifiedOpening.Exists(path)) throw new FileNotFoundException($"The ONNX serving manifest of '{directory}' lists '{graph.File}', which is missing.", path);
                InferenceSession session;
                try
                {
                    session = OnnxVerifiedOpening.CreateSession(sessions, path, shared, graph.File);
                }
                catch (OnnxRuntimeException e)
                {
                    throw new InvalidDataException($"ONNX Runtime could not create a session for '{path}', which the manifest of '{directory}' lists: "
                        + $"{e.Message.Trim()}. If the file is damaged, truncated or was being written by an export, export the model again.", e);
                }
                opened.Add(session);
                OnnxCandidateScorer.CheckNames(session, graph, directory);
            }
            return [.. opened];
        }
        catch
        {
            foreach (var session in opened) session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Fresh histories as the engine reads them: each a sorted set of item rows (the same float sums in the same order);
    /// a null history, or an item row outside the export, is refused naming its place.
    /// </summary>
    /// <param name="histories">Per user, item rows.</param>
    /// <param name="manifest">The opened directory's manifest.</param>
    /// <param name="absentItems">
    /// Rows without an item (<see cref="ItemAbsence"/>), ascending: dropped from the sets, as the recommender ignores an id
    /// unknown to the model (a key without training edges).
    /// </param>
    public static int[][] HistorySets(IReadOnlyList<IReadOnlyList<int>> histories, OnnxServingManifest manifest, int[]? absentItems = null)
    {
        var sets = new int[histories.Count][];
        for (int q = 0; q < histories.Count; q++)
        {
            var history = histories[q] ?? throw new ArgumentNullException(nameof(histories), $"History {q} is null; pass an empty list for a user without history.");
            for (int p = 0; p < history.Count; p++)
            {
                if ((uint)history[p] >= (uint)manifest.Items)
                    throw new ArgumentOutOfRangeException(nameof(histories), $"History {q} holds item row {history[p]} (position {p}), which is not an item of the exported model: "
                        + $"item rows are 0 to {manifest.Items - 1}, the rows of {MultiInterestModel.ItemIdsFileName}.");
            }
            sets[q] = absentItems is { Length: > 0 }
                ? [.. history.Distinct().Where(i => Array.BinarySearch(absentItems, i) < 0).Order()]
                : [.. history.Distinct().Order()];
        }
        return sets;
    }

    /// <summary>
    /// The item rows a call excludes for every user (<paramref name="excludeItems"/>: items deleted or blocked since the export,
    /// as <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int, IEnumerable{string})"/>'s <c>exclude</c>),
    /// ascending and distinct; empty for null or none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A row is not an item row of the export.</exception>
    /// <exception cref="ArgumentException">Rows are given but the graphs have no exclusion mask input.</exception>
    public static int[] ExcludedItems(IReadOnlyCollection<int>? excludeItems, OnnxServingManifest manifest)
    {
        var excluded = ExclusionGraphs.SortedItems(excludeItems, manifest.Items, $"the rows of {MultiInterestModel.ItemIdsFileName}");
        if (excluded.Length > 0 && !manifest.ExclusionMask)
            throw new ArgumentException("The models were exported without the exclusion mask input, so they cannot exclude items; export with exclusionMask: true.", nameof(excludeItems));
        return excluded;
    }

    /// <summary>
    /// What fresh histories' lists exclude: row q holds <paramref name="sets"/>[q] when <paramref name="excludeHistory"/>, and
    /// <paramref name="excluded"/> (<see cref="ExcludedItems"/>) in every row; null when that is nothing. The histories
    /// themselves are read as given: an excluded item still shapes its history's representation, as in the recommender.
    /// </summary>
    public static BipartiteGraph? HistoryExclusions(IReadOnlyList<int[]> sets, bool excludeHistory, int[] excluded, int items)
    {
        if (!excludeHistory && excluded.Length == 0) return null;
        return ExclusionGraphs.ForRows(excludeHistory ? sets : [.. sets.Select(_ => Array.Empty<int>())], excluded, items);
    }

    /// <summary>
    /// Histories as a graph: row q holds <paramref name="sets"/>[q] (from <see cref="HistorySets"/>: ascending, distinct, checked)
    /// over <paramref name="items"/> items, laid out as they are rather than sorted again as an edge list.
    /// </summary>
    public static BipartiteGraph HistoryGraph(IReadOnlyList<int[]> sets, int items) => ExclusionGraphs.ForRows(sets, [], items);

    /// <summary>
    /// Refuses user rows outside the export or without a user (<see cref="UserAbsence"/>), and exclusions the export cannot
    /// apply (no mask, or another item count).
    /// </summary>
    /// <param name="manifest">The opened directory's manifest.</param>
    /// <param name="users">The call's user rows.</param>
    /// <param name="exclusions">The call's exclusions, or null.</param>
    /// <param name="scorer">The graphs that would take the mask, for the message (plural, e.g. "round-robin scorer graphs").</param>
    /// <param name="absentUsers">The export's user rows without a user, ascending (<see cref="UserAbsence.Read(string, OnnxServingManifest, Engine.EmbeddingMatrix?)"/>).</param>
    public static void CheckCall(OnnxServingManifest manifest, IReadOnlyList<int> users, BipartiteGraph? exclusions, string scorer, int[] absentUsers)
    {
        ArgumentNullException.ThrowIfNull(users);
        for (int q = 0; q < users.Count; q++)
        {
            if ((uint)users[q] >= (uint)manifest.Users)
                throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {users[q]} (position {q}): the exported model has {manifest.Users} users.");
        }
        UserAbsence.Refuse(absentUsers, users);
        if (exclusions == null) return;
        if (!manifest.ExclusionMask)
            throw new ArgumentException($"The {scorer} of this directory have no exclusion mask input (exported without it), so they cannot exclude items; "
                + "export with exclusionMask: true.", nameof(exclusions));
        if (exclusions.ItemCount != manifest.Items)
            throw new ArgumentException($"The exclusion graph has {exclusions.ItemCount} items but the exported model {manifest.Items}.", nameof(exclusions));
        CheckExclusionUsers(exclusions, users);
    }

    /// <summary>
    /// Refuses <paramref name="exclusions"/> without a row for one of <paramref name="users"/>, before anything runs (the mask of
    /// that user's batch could not be built, and the batches before it would have run for nothing).
    /// </summary>
    public static void CheckExclusionUsers(BipartiteGraph exclusions, IReadOnlyList<int> users)
    {
        for (int q = 0; q < users.Count; q++)
        {
            if (users[q] >= exclusions.UserCount)
                throw new ArgumentException($"The exclusion graph has {exclusions.UserCount} users, so user row {users[q]} (position {q}) has no row in it: "
                    + "pass a graph over all the exported model's user rows (typically MultiInterestModel.TrainingHistory).", nameof(exclusions));
        }
    }
}
