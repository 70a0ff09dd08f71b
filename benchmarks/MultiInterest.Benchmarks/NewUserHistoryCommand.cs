using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>new-user-history --train FILE --test FILE [options]</c>: how a retrieval stage after a divide-and-conquer GraphEmbedding
/// should read a new user's history. A seeded share of the test users is left out of the fit (<see cref="NewUserSplit"/>);
/// each is then served from its training items as a fresh history, and its Recall@M over its test items (every one in the
/// denominator) is compared when the history becomes the unimodal query by the mean of the item vectors
/// (<see cref="HistoryVector.Mean"/>), by the implicit-ALS fold-in (<see cref="HistoryVector.FoldIn"/>, fitted to the trained
/// users' vectors) and by the model's own encoder (<see cref="DivideConquerModel.UserQueries"/>), beside the model's
/// multi-interest serving (<see cref="DivideConquerModel.BuildMixtures"/> with cluster quotas). Paired differences with their
/// standard errors, as JSON, with how many users the stage fitted with <see cref="HistoryVector.Encoder"/> lists otherwise than
/// the encoder's query ranks (0 expected) and which reading <see cref="HistoryVector.Auto"/> chose. Three rows serve the same
/// users through a cluster-quota stage's live new-user path: over k-means' own clusters (the counted mixture, what a pipeline
/// served before <see cref="HistoryMixture"/>), over the model's clusters with the counted mixture, and with the model's own
/// mixture (<see cref="HistoryMixture.DivideConquer"/>, Auto there), with how many of the last differ from the engine's quota lists (0 expected).
/// With <c>--timed-rounds R</c>, also the milliseconds of each stage's <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/>
/// call of a new user, all timed side by side (<see cref="RequestTiming"/>), beside the parts of the request with the model's
/// mixture alone: its two reads of one history (the encoder's query and the mixture) and its quota search.
/// </summary>
internal static class NewUserHistoryCommand
{
    /// <summary>The quota stage's rows with the counted mixture, which the model's mixture through the stage is paired with.</summary>
    private static readonly string[] CountedQuotaRows = ["stage_quota_counts_kmeans", "stage_quota_counts"];

    public static Command Create()
    {
        var common = new NewUserFlags(newShare: 0.2);
        var maxUsers = BenchOpt.Count("--max-users", 0, "Users sampled from the training file before the split (0 = all).", min: 0);
        var rate = Opt.Float("--lr", 0.1f, "Learning rate.", min: 1e-6);
        var negatives = BenchOpt.Count("--negatives", 20, "Negatives per positive.", min: 1);
        var encoder = Opt.Choice("--encoder", DivideConquerEncoder.MeanPooling, e => e == DivideConquerEncoder.MeanPooling ? "mean" : "attention",
            "History encoder (mean or attention).", [DivideConquerEncoder.MeanPooling, DivideConquerEncoder.AttentionPooling]);
        var timed = BenchOpt.Count("--timed-rounds", 0, "Passes over the new users timing each way's Recommend(user, history) call, side by side (0 = none).", min: 0);
        var command = new Command("new-user-history", "Recall@M of users left out of a divide-and-conquer fit, their history read by the mean, the fold-in "
            + "or the model's encoder (JSON).").With([.. common.All, maxUsers, rate, negatives, encoder, timed]);
        command.SetAction(r =>
        {
            var options = common.Model(r);
            options.LearningRate = r.Value(rate);
            options.UniformNegatives = r.Value(negatives);
            options.DivideConquer.Encoder = r.Value(encoder);
            return Run(r.Value(common.Train)!, r.Value(common.Test)!, r.Value(common.Share), r.Value(maxUsers), options, r.Value(common.Candidates), r.Value(common.Seed), r.Value(timed));
        });
        return command;
    }

    private static int Run(string trainPath, string testPath, double share, int maxUsers, GraphEmbeddingTrainer.Options options, int m, int seed, int timedRounds)
    {
        var clock = Stopwatch.StartNew();
        var split = NewUserSplit.Create(EdgeFile.Read(trainPath), EdgeFile.Read(testPath), share, maxUsers, seed);
        var ml = new MLContext(seed: seed);
        var data = split.FitRows(ml);
        var keys = ml.Transforms.Conversion.MapValueToKey("User").Append(ml.Transforms.Conversion.MapValueToKey("Item")).Fit(data);
        var keyed = keys.Transform(data);
        var mi = ml.MultiInterest();
        var embedding = mi.GraphEmbedding(options).Fit(keyed);
        double fitSeconds = clock.Elapsed.TotalSeconds;
        var embedded = embedding.Transform(keyed);
        MultiInterestRecommender Served(HistoryVector read) => mi.CreateRecommender(new TransformerChain<ITransformer>(keys, embedding,
            mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = m, HistoryVector = read, Threads = 1 }).Fit(embedded)));

        // The users served: those with a history item the model knows (the others get the popular list by every path).
        var rowOf = embedding.ItemIds.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row);
        var users = split.Histories.Keys.Where(u => split.Histories[u].Any(rowOf.ContainsKey)).Order(StringComparer.Ordinal).ToArray();
        var served = new Dictionary<string, MultiInterestRecommender>
        {
            ["unimodal_mean"] = Served(HistoryVector.Mean),
            ["unimodal_fold_in"] = Served(HistoryVector.FoldIn),
            ["unimodal_encoder"] = Served(HistoryVector.Encoder),
            ["unimodal_auto"] = Served(HistoryVector.Auto),
            // The quota stage's live new-user path, as a pipeline serves it: k-means' own clusters (what a pipeline had before
            // HistoryMixture), the model's clusters with the counted mixture, and the model's own mixture through the stage.
            ["quota_counts_kmeans"] = QuotaStage(ml, keys, embedding, embedded, options, m, modelClusters: false, HistoryMixture.Auto),
            ["quota_counts"] = QuotaStage(ml, keys, embedding, embedded, options, m, modelClusters: true, HistoryMixture.Counts),
            ["quota_model"] = QuotaStage(ml, keys, embedding, embedded, options, m, modelClusters: true, HistoryMixture.Auto),
        };
        var lists = new Dictionary<string, string[][]>
        {
            ["mean"] = Recommend(served["unimodal_mean"], users, split, m),
            ["fold_in"] = Recommend(served["unimodal_fold_in"], users, split, m),
        };
        var model = embedding.DivideConquer!;
        var history = HistoryGraph(users, split, rowOf, model.Items.Rows);
        var entries = Enumerable.Range(0, users.Length).ToArray();
        var byQuery = new UnimodalRetriever(model.Items).Retrieve(model.UserQueries(history, threads: 1), entries, history, m, threads: 1);
        lists["encoder_query"] = Ids(byQuery, embedding.ItemIds);
        var byQuota = new ClusterQuotaRetriever(model.Items, model.Clustering).Retrieve(model.BuildMixtures(history, entries, threads: 1), entries, history, [m], threads: 1)[0];
        lists["encoder_quota"] = Ids(byQuota, embedding.ItemIds);
        // The stage serving the encoder's query itself (HistoryVector.Encoder) must list what the query ranks.
        var byEncoderStage = Recommend(served["unimodal_encoder"], users, split, m);
        int differing = byEncoderStage.Where((list, q) => !list.SequenceEqual(lists["encoder_query"][q])).Count();
        var auto = Recommend(served["unimodal_auto"], users, split, m);
        lists["stage_quota_counts_kmeans"] = Recommend(served["quota_counts_kmeans"], users, split, m);
        lists["stage_quota_counts"] = Recommend(served["quota_counts"], users, split, m);
        lists["stage_quota_model"] = Recommend(served["quota_model"], users, split, m);
        int quotaDiffering = lists["stage_quota_model"].Where((list, q) => !list.SequenceEqual(lists["encoder_quota"][q])).Count();
        var timing = timedRounds == 0 ? null : TimeRequests(served, model, users, split, rowOf, m, timedRounds);

        var recall = lists.ToDictionary(p => p.Key, p => users.Select((u, q) => Recall(p.Value[q], split.HeldOut[u])).ToArray());
        JsonReport.Print(new
        {
            Train = trainPath,
            Test = testPath,
            FitEdges = split.FitEdges.Count,
            NewUsers = split.Histories.Count,
            UsersServed = users.Length,
            Encoder = options.DivideConquer.Encoder.ToString(),
            options.Dimension,
            options.Epochs,
            Candidates = m,
            AutoReads = auto.Where((list, q) => list.SequenceEqual(lists["fold_in"][q])).Count() == users.Length ? "fold_in"
                : auto.Where((list, q) => list.SequenceEqual(lists["encoder_query"][q])).Count() == users.Length ? "encoder_query" : "other",
            EncoderStageListsDiffering = differing,
            QuotaStageListsDifferingFromEncoderQuota = quotaDiffering,
            RecallAtM = recall.ToDictionary(p => p.Key, p => JsonReport.Round(p.Value.Average(), 4)),
            VersusMean = recall.Where(p => p.Key != "mean").ToDictionary(p => p.Key, p => Paired(p.Value, recall["mean"])),
            VersusFoldIn = recall.Where(p => p.Key is not ("mean" or "fold_in")).ToDictionary(p => p.Key, p => Paired(p.Value, recall["fold_in"])),
            // The quota stage's model mixture against its counted ones, user by user.
            QuotaModelVersusCounts = CountedQuotaRows.ToDictionary(k => k, k => Paired(recall["stage_quota_model"], recall[k])),
            // Milliseconds per new user's request (RequestTiming), when --timed-rounds asks for them.
            TimedRounds = timedRounds,
            RequestMilliseconds = timing,
            FitSeconds = JsonReport.Round(fitSeconds, 1),
            Seconds = JsonReport.Round(clock.Elapsed.TotalSeconds, 1),
        });
        return 0;
    }

    /// <summary>
    /// Each recommender's <c>Recommend(user, history, M)</c> of the new users, timed side by side (<see cref="RequestTiming"/>),
    /// with the parts of a quota stage's request with the model's mixture, each alone on a graph of that one user: its two
    /// divide-and-conquer reads of the history, the encoder's query (<see cref="DivideConquerModel.UserQueries"/>, its
    /// <see cref="HistoryVector.Encoder"/> vector) and the model's mixture (<see cref="DivideConquerModel.BuildMixtures"/>),
    /// and the engine's quota search of that mixture.
    /// </summary>
    private static Dictionary<string, RequestTiming.Summary> TimeRequests(Dictionary<string, MultiInterestRecommender> served, DivideConquerModel model,
        string[] users, NewUserSplit split, Dictionary<string, int> rowOf, int m, int rounds)
    {
        var ways = served.Where(p => p.Key != "unimodal_auto")
            .Select(p => (p.Key, (Action<int>)(q => p.Value.Recommend(users[q], split.Histories[users[q]], m)))).ToList();
        var alone = users.Select(u => HistoryGraph([u], split, rowOf, model.Items.Rows)).ToArray();
        ways.Add(("encoder_query_alone", q => model.UserQueries(alone[q], threads: 1)));
        ways.Add(("model_mixture_alone", q => model.BuildMixtures(alone[q], [0], threads: 1)));
        // The engine's quota search of the model's mixture alone (the mixtures built beforehand), its history excluded.
        var quota = new ClusterQuotaRetriever(model.Items, model.Clustering);
        var mixtures = alone.Select(graph => model.BuildMixtures(graph, [0], threads: 1)).ToArray();
        ways.Add(("model_quota_search_alone", q => quota.Retrieve(mixtures[q], [0], alone[q], [m], threads: 1)));
        return RequestTiming.Measure(ways, users.Length, rounds);
    }

    /// <summary>
    /// The pipeline after the embedding with a quota stage (M, no unimodal fill, so that its lists are the engine's quota lists):
    /// the model's clusters (<see cref="SphericalKMeansTrainer.Options.DivideConquerClusters"/>) or k-means' own into as many,
    /// kNN-Embed mixtures with their defaults for the trained users, and <paramref name="mixture"/> for a new user's history.
    /// </summary>
    private static MultiInterestRecommender QuotaStage(MLContext ml, ITransformer keys, GraphEmbeddingTransformer embedding, IDataView embedded,
        GraphEmbeddingTrainer.Options options, int m, bool modelClusters, HistoryMixture mixture)
    {
        var mi = ml.MultiInterest();
        var clusters = mi.SphericalKMeans(new SphericalKMeansTrainer.Options
        {
            NumberOfClusters = embedding.DivideConquer!.Clustering.ClusterCount, DivideConquerClusters = modelClusters, Seed = options.Seed, Threads = 1,
        }).Fit(embedded);
        var clustered = clusters.Transform(embedded);
        var mixtures = mi.KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options { Threads = 1 }).Fit(clustered);
        var quota = mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = m, UserEmbeddingColumnName = null, HistoryMixture = mixture, Threads = 1 })
            .Fit(mixtures.Transform(clustered));
        return mi.CreateRecommender(new TransformerChain<ITransformer>(keys, embedding, clusters, mixtures, quota));
    }

    private static string[][] Recommend(MultiInterestRecommender recommender, string[] users, NewUserSplit split, int m) =>
        users.Select(u => recommender.Recommend(u, split.Histories[u], m).Items.Select(r => r.ItemId).ToArray()).ToArray();

    /// <summary>The users' known history items as a graph over the model's item rows (entry q = users[q]).</summary>
    private static BipartiteGraph HistoryGraph(string[] users, NewUserSplit split, Dictionary<string, int> rowOf, int items)
    {
        var (userOf, itemOf) = (new List<int>(), new List<int>());
        for (int q = 0; q < users.Length; q++)
            foreach (var id in split.Histories[users[q]])
                if (rowOf.TryGetValue(id, out int row))
                {
                    userOf.Add(q);
                    itemOf.Add(row);
                }
        return BipartiteGraph.FromEdges(users.Length, items, userOf.ToArray(), itemOf.ToArray());
    }

    private static string[][] Ids(RankedLists lists, IReadOnlyList<string> ids) =>
        Enumerable.Range(0, lists.Counts.Length).Select(q => lists.IndicesOf(q).ToArray().Select(row => ids[row]).ToArray()).ToArray();

    private static double Recall(string[] list, HashSet<string> held) => (double)list.Count(held.Contains) / held.Count;

    /// <summary>The mean paired difference a - b and its standard error.</summary>
    private static object Paired(double[] a, double[] b)
    {
        var d = a.Select((x, q) => x - b[q]).ToArray();
        double mean = d.Average(), variance = d.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, d.Length - 1);
        return new { Difference = JsonReport.Round(mean, 4), StandardError = JsonReport.Round(Math.Sqrt(variance / d.Length), 4) };
    }
}
