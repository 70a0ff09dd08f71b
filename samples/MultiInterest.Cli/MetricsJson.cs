using System.Globalization;
using System.Text.Json;
using Microsoft.ML.MultiInterest.Engine;

using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>Writes metrics.json in the layout the README documents.</summary>
internal static class MetricsJson
{
    public static void Write(string path, ExperimentSettings settings, ProtocolResult result, BipartiteGraph train, BipartiteGraph test,
        int unseenTestEdges, int testEdgesInTraining, int leftOutUsers, IReadOnlyDictionary<string, double> seconds, GraphEmbeddingResult? embedding,
        int dimension, int clusters, int tunedClusters, IReadOnlyList<LearnedRow> learned, HistoryLambdaOutcome? historyLambda, UnimodalPairs pairs,
        Dictionary<string, Dictionary<int, CatalogueExposure>> exposure, IReadOnlyDictionary<string, double>? peakMemory = null, OwnIdLists.Count? ownIds = null)
    {
        bool ownEmbeddings = settings.UserEmbeddingsPath == null;
        // The training knobs (epochs, loss, learning rate, negatives) are written only where the vectors used them: a
        // truncated SVD or implicit ALS (Auto's usual choice) has none, and listing the defaults would read as if it had.
        bool trainedBySgd = ownEmbeddings && embedding?.Algorithm is not (EmbeddingAlgorithm.TruncatedSvd or EmbeddingAlgorithm.ImplicitAls);
        var document = new Dictionary<string, object?>
        {
            ["dataset"] = settings.Dataset,
            ["settings"] = new Dictionary<string, object?>
            {
                ["embeddings"] = ownEmbeddings ? "trained" : "given",
                ["algorithm"] = ownEmbeddings ? EmbeddingFlags.Name(settings.Embedding.Algorithm) : null,
                ["algorithm_used"] = embedding == null ? null : EmbeddingFlags.Name(embedding.Algorithm),
                ["embedding_settings"] = embedding?.Settings,
                // The vectors' and the main clustering's sizes, trained or given.
                ["dim"] = dimension,
                ["epochs"] = trainedBySgd ? settings.Embedding.Epochs : null,
                ["loss"] = trainedBySgd ? settings.Embedding.Loss.ToString() : null,
                ["learning_rate"] = trainedBySgd ? settings.Embedding.LearningRate : null,
                ["negatives"] = trainedBySgd
                    ? new { uniform = settings.Embedding.UniformNegatives, batch = settings.Embedding.BatchNegatives, degree = settings.Embedding.DegreeNegatives }
                    : null,
                ["clusters"] = clusters,
                ["kmeans_iterations"] = settings.ItemClustersPath == null ? settings.Clustering.MaxIterations : null,
                ["kmeans_tolerance"] = settings.ItemClustersPath == null ? settings.Clustering.Tolerance : null,
                ["components"] = settings.Protocol.Components,
                ["neighbors"] = settings.Protocol.Neighbors,
                ["lambda"] = settings.Protocol.Lambda,
                ["alpha"] = settings.Protocol.Alpha,
                ["mmr_lambda"] = settings.Protocol.MmrLambda,
                ["mmr_pool"] = settings.Protocol.MmrPoolSize,
                ["mmr_reorder_lambda"] = settings.Protocol.ReorderMmrLambda,
                ["tuned"] = settings.Protocol.MultiInterest is { } t ? new Dictionary<string, object>
                {
                    ["clusters"] = tunedClusters,
                    ["components"] = t.Components,
                    ["lambda"] = t.Lambda,
                    ["query"] = t.Retrieval.Query.ToString().ToLowerInvariant(),
                    ["beta"] = t.Retrieval.Beta,
                    ["alpha"] = t.Retrieval.Alpha,
                    ["head_share"] = t.Retrieval.HeadShare,
                    ["interest_mmr_lambda"] = t.MmrLambda,
                    ["interest_weight"] = t.InterestWeight,
                } : null,
                [ProtocolEvaluator.HistoryMmrName] = settings.Protocol.HistoryMmr is { } h ? HistoryMmr(h, result.HistoryInterests ?? h.Interests, historyLambda) : null,
                ["seed"] = settings.Embedding.Seed,
                ["threads"] = settings.Protocol.Threads,
                ["neighbor_index"] = settings.NeighborIndex.Kind.ToString().ToLowerInvariant(),
                ["neighbor_lists"] = settings.NeighborIndex.Kind == NeighborIndexKind.Clustered ? settings.NeighborIndex.Lists : null,
                ["neighbor_probes"] = settings.NeighborIndex.Kind == NeighborIndexKind.Clustered ? settings.NeighborIndex.Probes : null,
                ["unseen"] = settings.Unseen.ToString().ToLowerInvariant(),
                ["user_embeddings"] = settings.UserEmbeddingsPath,
                ["item_embeddings"] = settings.ItemEmbeddingsPath,
                ["item_clusters"] = settings.ItemClustersPath,
            },
            ["methods"] = result.Methods.ToDictionary(m => m.Name, m => (object)new Dictionary<string, object?>
            {
                ["recall"] = m.Recall.OrderBy(p => p.Key).ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => p.Value),
                ["ndcg"] = m.Ndcg.OrderBy(p => p.Key).ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => p.Value),
                ["diversity"] = m.Diversity.OrderBy(p => p.Key).ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => p.Value),
                // A row without a user representation (popular) has no goodness of fit: null.
                ["emd"] = FiniteOrNull(m.Emd),
                ["exposure"] = exposure[m.Name].OrderBy(p => p.Key).ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => (object)new Dictionary<string, double?>
                {
                    ["coverage"] = FiniteOrNull(p.Value.Coverage), ["gini"] = FiniteOrNull(p.Value.Gini), ["long_tail_share"] = FiniteOrNull(p.Value.LongTailShare),
                    ["long_tail_recall"] = FiniteOrNull(p.Value.LongTailRecall), ["long_tail_users"] = p.Value.LongTailUsers,
                }),
                ["by_activity"] = m.ByActivity.Select(g => new Dictionary<string, object?>
                {
                    ["quartile"] = g.Group + 1,
                    ["users"] = g.Users,
                    // An empty quartile (tied degrees put every user in an earlier one) has no range: null, not 0.
                    ["degree_min"] = g.Users == 0 ? null : g.LowerDegree,
                    ["degree_max"] = g.Users == 0 ? null : g.UpperDegree,
                    ["recall"] = Finite(g.Recall),
                    ["ndcg"] = Finite(g.Ndcg),
                    ["diversity"] = Finite(g.Diversity),
                    ["emd"] = double.IsFinite(g.Emd) ? g.Emd : null,
                    ["versus_unimodal"] = Paired(pairs.For(m.Name)?.ByActivity.ElementAtOrDefault(g.Group), pairs.LongTailFor(m.Name, g.Group)),
                }).ToArray(),
                ["versus_unimodal"] = Paired(pairs.For(m.Name), pairs.LongTailFor(m.Name)),
                // Why a row has no comparison (Unimodal itself has none and no reason).
                ["versus_unimodal_refused"] = pairs.RefusalFor(m.Name),
            }),
            ["frontiers"] = result.Frontiers.Select(f => new Dictionary<string, object?>
            {
                ["method"] = f.Method,
                ["knob"] = f.Knob,
                ["pool"] = f.Pool,
                ["recall_k"] = f.RecallCutoff,
                ["diversity_k"] = f.DiversityCutoff,
                ["points"] = f.Points.Select((p, t) => new Dictionary<string, object?>
                {
                    ["value"] = p.Value,
                    ["recall"] = p.Recall,
                    ["diversity"] = p.Diversity,
                    ["set_diversity"] = double.IsFinite(p.SetDiversity) ? p.SetDiversity : null,
                    // This point minus MMR's at the same lambda and pool, user by user (multi-interest re-rankings only).
                    ["versus_mmr"] = t < f.VersusMmr.Count ? FrontierVersusMmr(f, f.VersusMmr[t]) : null,
                }).ToArray(),
            }).ToArray(),
            ["embedding_validation"] = embedding == null || embedding.Validation.Count == 0 ? null : new Dictionary<string, object>
            {
                ["k"] = settings.Embedding.ValidationCutoff,
                ["fraction"] = settings.Embedding.ValidationFraction > 0 ? settings.Embedding.ValidationFraction : GraphEmbeddingDefaults.ValidationFraction,
                ["seconds"] = Math.Round(embedding.SelectionSeconds, 3),
                ["curve"] = embedding.Validation.Select(p => new { candidate = p.Candidate, step = p.Step, recall = p.Recall, ndcg = p.Ndcg, confirmation = p.Confirmation }).ToArray(),
            },
            ["learned_vectors"] = learned.Count == 0 ? null : learned.ToDictionary(l => l.Name, l => (object)new Dictionary<string, object?>
            {
                ["settings"] = l.Fit.Settings,
                ["source_components"] = l.Fit.Mixture!.SourceComponents,
                ["destination_components"] = l.Fit.Mixture!.DestinationComponents,
                ["dim"] = l.Options.Dimension,
                ["epochs_trained"] = l.Fit.Epochs.Count,
                ["train_seconds"] = Math.Round(l.Fit.Epochs.Sum(e => e.Seconds), 3),
                ["edges_per_second"] = Math.Round(l.Fit.Epochs.Average(e => e.EdgesPerSecond)),
                ["diversity_space"] = "the main table's item embeddings",
                ["emd_space"] = "the model's own item vectors",
                ["validation"] = l.Fit.Validation.Count == 0 ? null : new
                {
                    fraction = l.Options.ValidationFraction,
                    k = l.Options.ValidationCutoff,
                    seconds = Math.Round(l.Fit.SelectionSeconds, 3),
                    curve = l.Fit.Validation.Select(p => new { candidate = p.Candidate, step = p.Step, recall = p.Recall, ndcg = p.Ndcg }).ToArray(),
                },
            }),
            ["counts"] = new Dictionary<string, int>
            {
                ["users"] = train.UserCount,
                ["items"] = train.ItemCount,
                ["train_edges"] = train.EdgeCount,
                // Edges between users and items seen in training; with the unseen ones, every edge of the test file.
                ["test_edges"] = test.EdgeCount,
                ["test_edges_in_file"] = test.EdgeCount + unseenTestEdges,
                ["test_edges_unseen"] = unseenTestEdges,
                // Scoreable test edges that are training edges too: never listed, so always misses (SplitChecks warns of them).
                ["test_edges_in_training"] = testEdgesInTraining,
            }.Concat(TestUserCounts.Of(result, leftOutUsers).Fields).Concat(OwnIdFields(ownIds)).ToDictionary(),
            ["seconds"] = seconds.ToDictionary(p => p.Key, p => Math.Round(p.Value, 3)),
        };
        if (peakMemory != null) document["peak_working_set_mb"] = peakMemory;
        // Written only when used, spelled as the flag: a file of an unweighted run reads as it always did.
        if (settings.Weights) ((Dictionary<string, object?>)document["settings"]!)["weights"] = true;
        string text = JsonSerializer.Serialize(document, Indented) + "\n";
        OutputFile.WriteReplacing(path, partial => File.WriteAllText(partial, text));
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// A row, or one activity quartile of it, against Unimodal user by user (<see cref="MethodEvaluation.Against"/>): per
    /// figure and cutoff the mean per-user difference and its standard error (null where not finite: an empty quartile),
    /// and the users each figure pairs; null for Unimodal itself, without it, or for a row that cannot pair.
    /// </summary>
    /// <param name="paired">The comparison, or null.</param>
    /// <param name="longTail">
    /// The row's long-tail recall against Unimodal's per list length (<see cref="UnimodalPairs.LongTailFor"/>), written after
    /// the other figures with the users it pairs (those holding out a long-tail item); null to write neither.
    /// </param>
    internal static Dictionary<string, object>? Paired(PairedComparison? paired, IReadOnlyDictionary<int, PairedDifference>? longTail = null)
    {
        if (paired == null) return null;
        static Dictionary<string, object?> Figure(IReadOnlyDictionary<int, PairedDifference> values) =>
            values.OrderBy(p => p.Key).ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => (object?)Gap(p.Value));
        var block = new Dictionary<string, object>
        {
            ["users_recall_ndcg"] = paired.Recall.Values.First().Users,
            ["users_diversity"] = paired.Diversity.Values.First().Users,
            ["recall"] = Figure(paired.Recall),
            ["ndcg"] = Figure(paired.Ndcg),
            ["diversity"] = Figure(paired.Diversity),
        };
        if (longTail is { Count: > 0 })
        {
            // The users are those of any list length: who holds out a long-tail item does not depend on the lists.
            block["users_long_tail_recall"] = longTail.Values.First().Users;
            block["long_tail_recall"] = Figure(longTail);
        }
        return block;
    }

    /// <summary>
    /// One paired difference as both JSON files write it: <c>{"difference": ..., "standard_error": ...}</c>, null for a
    /// figure that is not finite (an empty group, a single user's standard error), or null for no comparison at all.
    /// </summary>
    internal static Dictionary<string, double?>? Gap(PairedDifference? gap) => gap is not { } d ? null : new()
    {
        ["difference"] = double.IsFinite(d.Difference) ? d.Difference : null,
        ["standard_error"] = double.IsFinite(d.StandardError) ? d.StandardError : null,
    };

    /// <summary>A frontier point's paired difference from MMR's point: Recall at the frontier's recall cutoff, Diversity at its two cutoffs.</summary>
    private static Dictionary<string, object?> FrontierVersusMmr(FrontierResult frontier, PairedComparison paired) => new()
    {
        ["users_recall"] = paired.Recall[frontier.RecallCutoff].Users,
        ["users_diversity"] = paired.Diversity[frontier.DiversityCutoff].Users,
        ["recall"] = Gap(paired.Recall[frontier.RecallCutoff]),
        ["diversity"] = Gap(paired.Diversity[frontier.DiversityCutoff]),
        ["set_diversity"] = Gap(paired.Diversity[frontier.RecallCutoff]),
    };

    private static double? FiniteOrNull(double value) => double.IsFinite(value) ? value : null;

    private static Dictionary<string, double?> Finite(IReadOnlyDictionary<int, double> values) =>
        values.OrderBy(p => p.Key).ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => double.IsFinite(p.Value) ? p.Value : (double?)null);

    /// <summary>The history_mmr row's settings; <paramref name="used"/> is the fold-in objective used (after any fitting to the user vectors).</summary>
    private static Dictionary<string, object> HistoryMmr(HistoryMmrRowSettings row, HistoryInterestOptions used, HistoryLambdaOutcome? lambda)
    {
        var block = new Dictionary<string, object>
        {
            ["lambda"] = row.MmrLambda,
            ["lambda_source"] = lambda?.Source ?? "given",
            ["reorder"] = row.Reorder,
            ["interest_weight"] = row.InterestWeight,
            ["items_per_interest"] = row.Interests.ItemsPerInterest,
            ["max_interests"] = row.Interests.MaxInterests,
            ["fold_in_matched_to_user_vectors"] = row.Interests.MatchUserVectors,
            ["fold_in_regularization"] = used.Regularization,
            ["fold_in_unobserved_weight"] = used.UnobservedWeight,
            ["fold_in_regularization_exponent"] = used.RegularizationExponent,
        };
        if (lambda?.Choice is { } choice)
            block["lambda_selection"] = new Dictionary<string, object>
            {
                ["rule"] = HistoryLambdaStep.RuleName(choice.Rule),
                // A candidate changing Unimodal's items kept its recall only when it led by this many standard errors (0: the mean alone).
                ["recall_lead_errors"] = choice.RecallLeadErrors,
                ["validation_users"] = choice.Users,
                ["unimodal_recall_at_50"] = choice.UnimodalRecall,
                ["unimodal_diversity_at_10"] = choice.UnimodalDiversity,
                ["reorder_diversity_at_10"] = choice.ReorderDiversity!,
                // Each candidate with its Recall@50 lead over Unimodal, paired user by user (what the rule's lead test read).
                ["points"] = choice.Points.Select(p => Point(p, HistoryMmrSelectionUsers.LambdaName(p.Value))).ToList(),
                ["reordered"] = choice.Reordered is { } reordered ? Point(reordered, HistoryMmrSelectionUsers.OwnReordered) : null!,
                ["unimodal_reordered"] = choice.UnimodalReordered is { } unimodalReordered ? Point(unimodalReordered, HistoryMmrSelectionUsers.UnimodalReordered) : null!,
                // The chosen candidate minus Unimodal on the validation users, paired user by user.
                ["recall_lead"] = Gap(choice.RecallLead)!,
                ["diversity_lead"] = Gap(choice.DiversityLead)!,
                ["seconds"] = choice.Seconds,
            };
        if (lambda?.Reason is { } reason) block["lambda_default_reason"] = reason;
        // Written for every pool, the exact one included, so a reader need not know the default.
        block["pool_search"] = row.Pool.Search.ToString().ToLowerInvariant();
        // The item lists' settings mean something for the clustered search only.
        if (row.Pool.Search == HistoryPoolSearch.Clustered)
        {
            block["pool_lists"] = row.Pool.Lists;
            block["pool_probes"] = row.Pool.Probes;
            block["pool_user_probes"] = row.Pool.UserProbes;
            block["pool_history_lists"] = row.Pool.HistoryLists;
        }
        return block;

        Dictionary<string, object?> Point(FrontierPoint p, string name) => new()
        {
            ["lambda"] = p.Value, ["recall_at_50"] = p.Recall, ["diversity_at_10"] = p.Diversity, ["diversity_at_50"] = p.SetDiversity,
            ["recall_lead"] = choice.RecallLeads is { } leads && leads.TryGetValue(name, out var lead) ? Gap(lead) : null,
        };
    }

    /// <summary>
    /// The test users whose id is also an item's, and those of them whose Unimodal list at the longest cutoff holds it
    /// (<see cref="OwnIdLists"/>): a graph whose users and items are the same nodes recommends users to themselves.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, int>> OwnIdFields(OwnIdLists.Count? ownIds)
    {
        if (ownIds is not { } count) yield break;
        yield return new("test_users_id_also_item", count.Eligible);
        yield return new("unimodal_lists_with_own_id", count.Lists);
    }
}
