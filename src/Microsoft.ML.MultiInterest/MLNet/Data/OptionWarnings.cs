using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

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
        Logging.Warning(context, component, "Candidates", $"Candidates (M = {candidates}) exceeds the {items} items with a training edge: every list holds at most {items} "
            + $"items (fewer after the user's seen items are excluded); the remaining slots of the candidates column are padding (key 0, score NaN).");
        return true;
    }

    /// <summary>
    /// A learned multi-vector model fitted through the Options path with the single-vector Margin and LearningRate both left
    /// as they are: ML.NET options cannot tell a default from a choice, and these train the mixture and DCM models far worse
    /// than their own (on validation the mixture's Recall@50 was 0.29 at margin 0.3 against 0.53 at its 1.0: docs/pipeline.md).
    /// </summary>
    /// <returns>Whether the warning was logged.</returns>
    public static bool SingleVectorSettings(MLContext context, string component, EmbeddingAlgorithm algorithm, float margin, float learningRate)
    {
        (float Margin, float LearningRate, string Shortcut)? own = algorithm switch
        {
            EmbeddingAlgorithm.MixtureEmbedding => (MixtureEmbeddingDefaults.Margin, MixtureEmbeddingDefaults.LearningRate, "mi.MixtureEmbedding(...)"),
            EmbeddingAlgorithm.DifferentiableClustering => (DcmDefaults.Margin, DcmDefaults.LearningRate, "mi.DifferentiableClustering(...)"),
            _ => null,
        };
        if (own is not { } o || margin != GraphEmbeddingDefaults.Margin || learningRate != GraphEmbeddingDefaults.LearningRate) return false;
        Logging.Warning(context, component,
            $"{algorithm} trains with the single-vector Margin ({margin}) and LearningRate ({learningRate}), the Options defaults; its own are {o.Margin} and "
            + $"{o.LearningRate}, which {o.Shortcut} sets. Set Margin and LearningRate on the options if these are not a choice.");
        return true;
    }

    /// <summary>
    /// A learned single-vector model (implicit ALS, negative sampling) asked for more dimensions than min(users, items) of
    /// its training edges: the interaction matrix has no more independent directions, so the extra ones only fit noise
    /// under the regularisation and cost time and memory (the truncated SVD refuses such a rank; Auto never tries one).
    /// </summary>
    /// <returns>Whether the warning was logged.</returns>
    public static bool DimensionAboveRank(MLContext context, string component, EmbeddingAlgorithm algorithm, int dimension, int users, int items)
    {
        if (DimensionAboveRankMessage(algorithm, dimension, users, items, "Dimension") is not { } message) return false;
        Logging.Warning(context, component, "Dimension", $"{message}");
        return true;
    }

    /// <summary>The message of <see cref="DimensionAboveRank"/> naming the dimension by <paramref name="option"/> (invariant culture), or null when it needs none.</summary>
    internal static string? DimensionAboveRankMessage(EmbeddingAlgorithm algorithm, int dimension, int users, int items, string option)
    {
        if (algorithm is not (EmbeddingAlgorithm.ImplicitAls or EmbeddingAlgorithm.NegativeSampling)) return null;
        int rank = Math.Min(users, items);
        if (dimension <= rank) return null;
        return string.Create(CultureInfo.InvariantCulture, $"{option} {dimension} exceeds min(users, items) = {rank} of the training edges ({users} users and {items} items "
            + $"with edges): {algorithm} fits it, but the interaction matrix has at most {rank} independent directions, so the other dimensions add "
            + $"time and memory, not signal. Set {option} to at most {rank}.");
    }

    /// <summary>
    /// A Dimension other than the default under Auto: Auto chooses its own dimension on a validation hold-out and reads
    /// Dimension only for the negative-sampling trial it runs with AutoIncludesNegativeSampling, so without that the
    /// value asked for is not used (a default left alone cannot be told from one set to it, and is not warned of).
    /// </summary>
    /// <returns>Whether the warning was logged.</returns>
    public static bool DimensionUnderAuto(MLContext context, string component, EmbeddingAlgorithm algorithm, int dimension, bool autoIncludesNegativeSampling,
        int autoMaxDimension)
    {
        if (algorithm != EmbeddingAlgorithm.Auto || autoIncludesNegativeSampling || dimension == GraphEmbeddingDefaults.Dimension) return false;
        Logging.Warning(context, component, "Dimension", $"Dimension is {dimension}, but Algorithm is Auto, which chooses the dimension itself on a validation hold-out "
            + $"(up to AutoMaxDimension, {autoMaxDimension}) and reads Dimension only for the negative-sampling trial of AutoIncludesNegativeSampling, "
            + $"off here: the vectors may have another dimension. To train at dimension {dimension}, set Algorithm (TruncatedSvd, ImplicitAls or "
            + $"NegativeSampling); to bound Auto, set AutoMaxDimension.");
        return true;
    }

    /// <summary>
    /// Divide-and-conquer asked for more item clusters than items with a training edge (and given none): its k-means makes
    /// one cluster per item instead, so a cluster holds one item, and quota retrieval from the user's intent, whose top
    /// clusters are those of items the user engaged, finds little it may recommend (the lists come from the fallback).
    /// </summary>
    /// <returns>Whether the warning was logged.</returns>
    public static bool DivideConquerClustersAboveItems(MLContext context, string component, EmbeddingAlgorithm algorithm, DivideConquerOptions options, int items)
    {
        if (algorithm != EmbeddingAlgorithm.DivideConquer || options.ItemClusters != null || options.Clusters <= items) return false;
        Logging.Warning(context, component, $"DivideConquer.Clusters is {options.Clusters}, but only {items} items have a training edge: the fit makes one "
            + $"cluster per item ({items}). A user's top clusters then hold only items it engaged, so quota retrieval from its intent finds few it may "
            + $"recommend. Set DivideConquer.Clusters well below {items}.");
        return true;
    }

    /// <summary>The spread from which <see cref="EdgeWeights"/> speaks: the heaviest edge this many times the median.</summary>
    internal const double WeightSpreadLimit = 1e4;

    /// <summary>How far from 1 the median weight may be, as a factor either way, before <see cref="EdgeWeights"/> speaks.</summary>
    internal const double WeightScaleLimit = 1e3;

    /// <summary>
    /// Edge weights that the trainers take as given but that are unlikely to be meant: a few edges weighing ten thousand
    /// ordinary ones (raw counts, a stray value), which then shape their users' and items' vectors alone, or a median far
    /// from 1 (timestamps, milliseconds), against which implicit ALS's regularisation and unobserved weight, an L2 penalty and
    /// plain SGD's steps, all set for weights near 1 (an unweighted edge weighs 1), act many times off. The weights are not changed.
    /// </summary>
    /// <remarks>
    /// <c>locate</c> says where the first edge with the largest weight (given its index in <c>weights</c>) is in the caller's
    /// data: a row of the data, or its user and item (rows without an edge are skipped before the weights are listed, so the
    /// index alone is not a row).
    /// </remarks>
    /// <returns>Whether a warning was logged.</returns>
    public static bool EdgeWeights(MLContext context, string component, IReadOnlyList<float> weights, string column, string option, Func<int, string> locate)
    {
        if (EdgeWeightsMessage(weights, column, option, locate) is not { } message) return false;
        Logging.Warning(context, component, option, $"{message}");
        return true;
    }

    /// <summary>The message of <see cref="EdgeWeights"/> (in the invariant culture), or null when the weights need none.</summary>
    internal static string? EdgeWeightsMessage(IReadOnlyList<float> weights, string column, string option, Func<int, string> locate)
    {
        if (weights.Count == 0) return null;
        // The median of a strided sample (every edge up to 100,000), the largest over all.
        int step = Math.Max(1, weights.Count / 100_000);
        var sample = new List<float>(weights.Count / step + 1);
        float largest = 0;
        int heaviest = 0;
        for (int e = 0; e < weights.Count; e++)
        {
            if (weights[e] > largest) (largest, heaviest) = (weights[e], e);
            if (e % step == 0) sample.Add(weights[e]);
        }
        sample.Sort();
        double median = sample[sample.Count / 2];
        bool spread = largest >= WeightSpreadLimit * median;
        bool scale = median > WeightScaleLimit || median < 1 / WeightScaleLimit;
        if (!spread && !scale) return null;
        var advice = "If the column holds raw counts, a compressed scale such as 1 + log(count) is the usual confidence; if it holds timestamps or ids, "
            + $"leave {option} unset (docs/concepts.md, \"Edge weights\").";
        if (spread)
            return string.Create(CultureInfo.InvariantCulture, $"Column '{column}' (option {option}): the largest weight, {largest:G4} ({locate(heaviest)}), is "
                + $"{largest / median:G3} times the median ({median:G4}): the heaviest edges outweigh thousands of ordinary ones in the loss, so they shape their "
                + $"users' and items' vectors alone. The weights are used as given. {advice}");
        // Measured (negative sampling, weights x1000): Adagrad's vectors the same to 1e-6, plain SGD's diverged; not "a weaker learning rate".
        double factor = median > 1 ? median : 1 / median;
        return string.Create(CultureInfo.InvariantCulture, $"Column '{column}' (option {option}): the median weight is {median:G4}, but the settings that meet the weights "
            + $"are set for weights near 1 (an unweighted edge weighs 1): here implicit ALS's regularisation and unobserved weight, and an L2 penalty of the "
            + $"SGD-trained models, act about {factor:G3} times {(median > 1 ? "weaker" : "stronger")} against the data, and with Optimizer = Sgd every step is "
            + $"{factor:G3} times {(median > 1 ? "larger" : "smaller")} (Adagrad's steps, the default, and the truncated SVD's rankings do not depend on the scale). "
            + $"The weights are used as given; divide the column by its median to keep its shape at the scale the settings expect. {advice}");
    }

    /// <summary>
    /// Rows of the training view that carry no edge (a missing key, 0: an empty id or NaN, or a value the fitted MapValueToKey did not see): their
    /// edges are not trained on, so their users may end without a vector or components, which later stages then report
    /// as their own failure.
    /// </summary>
    /// <returns>Whether the warning was logged.</returns>
    public static bool SkippedEdgeRows(MLContext context, string component, EdgeRows rows, string userColumn, string itemColumn, string? relationColumn)
    {
        if (rows.SkippedRows == 0) return false;
        long idRows = rows.SkippedRows - rows.SkippedForRelation;
        var parts = new List<string>();
        static string Rows(long n) => n == 1 ? "1 row with" : $"{n} rows with";
        if (idRows > 0) parts.Add($"{Rows(idRows)} a missing user key in '{userColumn}' or item key in '{itemColumn}'");
        if (rows.SkippedForRelation > 0) parts.Add($"{Rows(rows.SkippedForRelation)} a missing relation key in '{relationColumn}' (option RelationColumnName)");
        Logging.Warning(context, component, $"Skipped {string.Join(" and ", parts)} (key 0: an empty id or a NaN, which MapValueToKey maps to the missing key, or a value the fitted mapping did not see): "
            + $"{(rows.SkippedRows == 1 ? "its edge is" : "their edges are")} left out (not trained on, nor excluded from lists as seen), and a user left without edges "
            + $"gets no vector or components, or is served as a new user. "
            + $"Drop rows with empty ids first (LoadEdges refuses them, naming the row), and map these columns with key mappings fitted on all their values.");
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
            + $"their lists are the lowest item keys, not a ranking.");
        return true;
    }

    /// <summary>
    /// Trained users whose list holds fewer items than M and their unseen items allow (a quota retrieval without the
    /// unimodal fill, <c>UserEmbeddingColumnName = null</c>, when the components' clusters run short): the rest of each
    /// such list is padding, which reads like a shorter M.
    /// </summary>
    /// <param name="context">Where the warning goes.</param>
    /// <param name="component">The stage, for the message.</param>
    /// <param name="lists">The trained users' lists, row j that of history row j.</param>
    /// <param name="history">The trained users' items (row j).</param>
    /// <param name="candidates">M.</param>
    /// <param name="items">The items with a training edge.</param>
    /// <param name="excludeSeen">Whether a user's items are left out of its list.</param>
    /// <param name="why">What the message gives as the reason, e.g. that a quota retrieval without a user vector has no fill.</param>
    /// <returns>Whether the warning was logged.</returns>
    public static bool ShortLists(MLContext context, string component, RankedLists lists, BipartiteGraph history, int candidates, int items, bool excludeSeen, string why)
    {
        int shortLists = 0, shortest = int.MaxValue;
        for (int j = 0; j < lists.QueryCount; j++)
        {
            int possible = Math.Min(candidates, items - (excludeSeen ? history.DegreeOf(j) : 0));
            if (lists.Counts[j] >= possible) continue;
            shortLists++;
            shortest = Math.Min(shortest, lists.Counts[j]);
        }
        if (shortLists == 0) return false;
        Logging.Warning(context, component, $"{shortLists} of the {lists.QueryCount} trained users' lists hold fewer than the M = {candidates} candidates "
            + $"their unseen items allow (the shortest {shortest}): the retrieval found no more for them{why}; the remaining slots of the "
            + $"candidates column are padding (key 0, score NaN).");
        return true;
    }

    /// <summary>
    /// More neighbours (k) than other users with a training edge: each user is smoothed over the users there are, and the
    /// "k nearest users" of the log would overstate it (evaluate said so; fit and the library did not).
    /// </summary>
    /// <returns>Whether the warning was logged.</returns>
    public static bool Neighbors(MLContext context, string component, int neighbors, int users)
    {
        int others = Math.Max(0, users - 1);
        if (neighbors <= others) return false;
        Logging.Warning(context, component, "Neighbors", $"Neighbors (k = {neighbors}) exceeds the {others} other users with a training edge: each user is "
            + $"smoothed over at most {others} neighbour{(others == 1 ? "" : "s")}.");
        return true;
    }

    /// <summary>
    /// Unweighted edge rows that repeat a (user, item) pair an earlier row holds (a click log read as it is): the graph holds
    /// each pair once, so the repeats change nothing, which the caller may not expect. Said under the weight column's option
    /// (<paramref name="weightOption"/>), the one that makes repeats count: repeated rows add their weights.
    /// </summary>
    /// <param name="context">The context whose log receives the warning.</param>
    /// <param name="component">The component that read the rows.</param>
    /// <param name="rows">Edge rows read (rows skipped for a missing key not counted).</param>
    /// <param name="pairs">Distinct (user, item) pairs among them.</param>
    /// <param name="weightOption">The name of the component's weight-column option or parameter.</param>
    /// <returns>Whether the warning was logged.</returns>
    public static bool RepeatedPairs(MLContext context, string component, long rows, long pairs, string weightOption)
    {
        long repeats = rows - pairs;
        if (repeats <= 0) return false;
        Logging.Warning(context, component, weightOption, $"{repeats} of the {rows} edge rows repeat a (user, item) pair an earlier row holds: each pair is "
            + $"one edge, read once ({pairs} edges). To count repeats, give a weight column ({weightOption}): repeated rows add their weights.");
        return true;
    }

    /// <summary>More mixture components (m) than clusters: a user has at most one component per cluster, the rest is padding (weight 0).</summary>
    /// <returns>Whether the warning was logged.</returns>
    public static bool Components(MLContext context, string component, int components, int clusters)
    {
        if (components <= clusters) return false;
        Logging.Warning(context, component, "Components", $"Components (m = {components}) exceeds the {clusters} item clusters: every mixture has at most {clusters} "
            + $"components; the remaining slots of the mixture columns are padding (weight 0).");
        return true;
    }
}
