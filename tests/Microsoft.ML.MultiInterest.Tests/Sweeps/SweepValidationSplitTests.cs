using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using Microsoft.ML.MultiInterest.Tests.Embedding;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Sweeps;

/// <summary>
/// The sweep's validation hold-out by raw ids (<see cref="MultiInterestSweepResult.ValidationSplit"/>): a partition of the
/// training rows, from which each trial's figures are derived again with the library's evaluator. Until 2026-12-07 the
/// hold-out could not be seen, so no figure of a sweep could be checked independently.
/// </summary>
public sealed class SweepValidationSplitTests
{
    /// <summary>The planted graph's edges by text ids, in a shuffled line order (the hold-out follows it), with one line repeated.</summary>
    internal static List<RawEdge> Rows()
    {
        var graph = PlantedGraph.Create().Train;
        var rows = new List<RawEdge>();
        for (int u = 0; u < graph.UserCount; u++)
            foreach (int i in graph.ItemsOf(u).ToArray()) rows.Add(new RawEdge($"u{u}", $"i{i}", 1));
        var random = new Random(11);
        for (int j = rows.Count - 1; j > 0; j--)
        {
            int k = random.Next(j + 1);
            (rows[j], rows[k]) = (rows[k], rows[j]);
        }
        rows.Insert(rows.Count / 2, rows[3]);
        return rows;
    }

    private static IDataView Load(MLContext ml, IEnumerable<RawEdge> rows) =>
        ml.Data.LoadFromEnumerable(rows.Select(e => new MLNetTestData.Edge { User = e.User, Item = e.Item }).ToList());

    /// <summary>
    /// A unimodal trial's Recall, NDCG and Diversity at <paramref name="k"/> derived again: its embedding fitted on
    /// <paramref name="train"/>, its lists of K scored on <paramref name="validation"/> by <see cref="MultiInterestCatalog.Evaluate"/>,
    /// the ids keyed in the order they first appear in <paramref name="all"/> (the sweep's training rows), as the sweep numbers them.
    /// </summary>
    internal static (double Recall, double Ndcg, double Diversity, int Users) Rederive(IReadOnlyList<RawEdge> all, IReadOnlyList<RawEdge> train,
        IReadOnlyList<RawEdge> validation, GraphEmbeddingTrainer.Options embedding, int k) =>
        Rederive(all, train, validation, embedding, mi => mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = k, Threads = 1 }), k);

    /// <summary>
    /// Any trial's figures derived again from its <see cref="SweepTrial.Settings"/> with the public estimators, as a user would
    /// chain them: GraphEmbedding with the trial's embedding options (the sweep's seed among them), then by method the
    /// unimodal retriever, MMR, history-interest MMR, or spherical k-means (the trial's clusters, iterations, tolerance and
    /// seed), the kNN-smoothed mixture and the cluster quotas.
    /// </summary>
    internal static (double Recall, double Ndcg, double Diversity, int Users) Rederive(IReadOnlyList<RawEdge> all, IReadOnlyList<RawEdge> train,
        IReadOnlyList<RawEdge> validation, SweepSettings settings, int k)
    {
        var embedding = GraphEmbeddingTrainer.Options.FromEngine(settings.Embedding);
        embedding.Threads = 1;
        var c = settings.Clustering;
        return Rederive(all, train, validation, embedding, mi => settings.Method switch
        {
            SweepRetrievalMethod.Unimodal => mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = k, Threads = 1 }),
            SweepRetrievalMethod.Mmr => mi.MmrRetriever(new MmrRetrieverEstimator.Options
            {
                Candidates = k, Lambda = settings.ResolvedMmrLambda, PoolSize = settings.MmrPool, Threads = 1,
            }),
            SweepRetrievalMethod.HistoryMmr => mi.MmrRetriever(new MmrRetrieverEstimator.Options
            {
                Candidates = k, Interests = MmrInterests.History, Lambda = settings.ResolvedMmrLambda, PoolSize = settings.MmrPool,
                InterestWeight = settings.InterestWeight, ItemsPerInterest = settings.ItemsPerInterest, MaxInterests = settings.MaxInterests, Threads = 1,
            }),
            _ => mi.SphericalKMeans(new SphericalKMeansTrainer.Options
                {
                    NumberOfClusters = c.Clusters, MaxIterations = c.MaxIterations, Tolerance = c.Tolerance, Seed = c.Seed, Threads = 1,
                })
                .Append(mi.KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options
                {
                    Components = settings.Components, Neighbors = settings.Neighbors, Lambda = settings.Lambda, Threads = 1,
                }))
                .Append(mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = k, Alpha = settings.Alpha, Threads = 1 })),
        }, k);
    }

    private static (double Recall, double Ndcg, double Diversity, int Users) Rederive(IReadOnlyList<RawEdge> all, IReadOnlyList<RawEdge> train,
        IReadOnlyList<RawEdge> validation, GraphEmbeddingTrainer.Options embedding, Func<MultiInterestCatalog, IEstimator<ITransformer>> retrieval, int k)
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var keys = MLNetTestData.KeyPipeline(ml).Fit(Load(ml, all));
        var keyedTrain = keys.Transform(Load(ml, train));
        var model = mi.GraphEmbedding(embedding).Append(retrieval(mi)).Fit(keyedTrain);
        var fitData = model.Transform(keyedTrain);
        var scored = model.Transform(keys.Transform(Load(ml, validation)));
        var metrics = mi.Evaluate(scored, scored, fitData, new MultiInterestEvaluatorOptions { Cutoffs = [k], Representation = UserRepresentation.Unimodal, Threads = 1 });
        return (metrics.RecallAtK[k], metrics.NdcgAtK[k], metrics.DiversityAtK[k], metrics.UserCount);
    }

    private static MultiInterestSweepResult Sweep(IReadOnlyList<RawEdge> rows, string space = "method=unimodal;dimension=6,8")
    {
        var ml = new MLContext(seed: 3);
        var options = SweepTestData.Options();
        return ml.MultiInterest().Sweep(Load(ml, rows), SweepSearchSpace.Parse(space), options, refitBest: false);
    }

    [Fact]
    public void The_hold_out_is_a_partition_of_the_training_rows_in_their_order()
    {
        var rows = Rows();
        var result = Sweep(rows);
        var split = result.ValidationSplit;
        Assert.Equal(rows.Count, split.Train.Count + split.Validation.Count);
        Assert.NotEmpty(split.Validation);
        // Each row on one side, in the rows' order: merging the two by membership gives the rows back.
        var held = split.Validation.Select(e => (e.User, e.Item)).ToHashSet();
        Assert.Equal(rows.Where(e => !held.Contains((e.User, e.Item))), split.Train);
        Assert.Equal(rows.Where(e => held.Contains((e.User, e.Item))), split.Validation);
        // The pairs are the engine's hold-out, which the trials were scored on.
        var validation = result.Outcome.Validation!;
        Assert.Equal(validation.EdgeCount, held.Count);
        Assert.Equal(result.Outcome.InnerTrain!.EdgeCount + validation.EdgeCount, rows.Select(e => (e.User, e.Item)).Distinct().Count());
        // Every validation user and item keeps a training row.
        Assert.All(split.Validation, e => Assert.Contains(split.Train, t => t.User == e.User));
        Assert.All(split.Validation, e => Assert.Contains(split.Train, t => t.Item == e.Item));
    }

    /// <summary>
    /// Every method a sweep tries, each space run with its defaults trial (kNN-Embed on the base settings): unimodal;
    /// kNN-Embed over lambda, neighbours (one neighbour search at the largest k, its prefixes reused) and clusters (k-means
    /// seeded by the sweep); MMR over its lambda and pool; history-interest MMR over its lambda, interest weight and most
    /// interests (its lambda fixed); and the three on implicit-ALS (history-interest MMR's fold-in then follows the ALS objective) and
    /// negative-sampling vectors. The name of each case's method, and how many of its trials the space gives besides the defaults trial (lambda 0 reads no neighbours, so its two k are one trial; clusters 8, lambda 0.5, k 5 is the defaults trial).
    /// </summary>
    public static TheoryData<string, string, int> MethodSpaces => new()
    {
        { "method=unimodal;dimension=6,8", "unimodal", 2 },
        { "method=knn-embed;lambda=0,0.5;neighbors=3,5;clusters=4,8", "knn-embed", 5 },
        { "method=mmr;mmr-lambda=0.3,0.7;mmr-pool=10,40", "mmr", 4 },
        { "method=history-mmr;mmr-lambda=0.3;interest-weight=0,0.5;max-interests=2,4", "history-mmr", 4 },
        { "method=knn-embed,mmr,history-mmr;algorithm=implicit-als,negative-sampling", "history-mmr", 2 },
    };

    /// <summary>
    /// Each trial's figures, every method's and the defaults trial's, derived again from the saved files with the public
    /// estimators on the trial's settings (<see cref="SweepTrial.Settings"/>: the sweep's seed is its embedding's and its
    /// k-means' seed) and <see cref="MultiInterestCatalog.Evaluate"/>, equal to 12 decimals.
    /// </summary>
    [Theory]
    [MemberData(nameof(MethodSpaces))]
    public void Each_trials_figures_are_derived_again_from_the_saved_split(string space, string method, int trialsOfMethod)
    {
        var rows = Rows();
        var result = Sweep(rows, space);
        string directory = Directory.CreateTempSubdirectory("mi-sweep-split-").FullName;
        try
        {
            string train = Path.Combine(directory, "inner-train.tsv"), validation = Path.Combine(directory, "validation.tsv");
            result.ValidationSplit.Save(train, validation);
            var (trainRows, validationRows) = (EdgeFile.Read(train), EdgeFile.Read(validation));
            Assert.Equal(result.ValidationSplit.Train, trainRows);
            Assert.Equal(result.ValidationSplit.Validation, validationRows);
            var trials = result.Outcome.Trials;
            Assert.Equal(trialsOfMethod, trials.Count(t => SweepParameterCatalog.MethodName(t.Settings.Method) == method && !t.IsDefaults));
            Assert.Contains(trials, t => t.IsDefaults);
            foreach (var trial in trials)
            {
                Assert.Equal(1, trial.Fidelity);
                var again = Rederive(rows, trainRows, validationRows, trial.Settings, result.Outcome.Options.Cutoff);
                Assert.Equal(trial.Users, again.Users);
                Assert.Equal(trial.Recall, again.Recall, 12);
                Assert.Equal(trial.Ndcg, again.Ndcg, 12);
                Assert.Equal(trial.Diversity, again.Diversity, 12);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// A sweep that scores a seeded draw of the validation users (<see cref="SweepOptions.ValidationUsers"/> below their
    /// number) does not name them: the files hold every validation user's edges, and the figures derived from them are the
    /// whole hold-out's, over more users than the trial's (docs/sweeps.md says so).
    /// </summary>
    [Fact]
    public void A_drawn_share_of_the_validation_users_is_not_in_the_files()
    {
        var rows = Rows();
        var ml = new MLContext(seed: 3);
        var options = SweepTestData.Options();
        options.ValidationUsers = 20;
        var result = ml.MultiInterest().Sweep(Load(ml, rows), SweepSearchSpace.Parse("method=unimodal;dimension=6"), options, refitBest: false);
        var trial = Assert.Single(result.Outcome.Trials, t => !t.IsDefaults);
        Assert.Equal(20, trial.Users);
        var again = Rederive(rows, result.ValidationSplit.Train, result.ValidationSplit.Validation, trial.Settings, options.Cutoff);
        Assert.Equal(result.ValidationSplit.Validation.Select(e => e.User).Distinct().Count(), again.Users);
        Assert.True(again.Users > trial.Users, $"{again.Users} users derived, {trial.Users} scored");
    }

    /// <summary>docs/sweeps.md's snippet of "Auditing the validation hold-out" is this test's region, compiled and run.</summary>
    [Fact]
    public void The_sweeps_page_audit_snippet_runs_and_matches_the_page()
    {
        string directory = Directory.CreateTempSubdirectory("mi-sweep-audit-page-").FullName;
        try
        {
            var ml = new MLContext(seed: 1);
            var mi = ml.MultiInterest();
            var edges = Load(ml, Rows());
            var space = SweepSearchSpace.Parse("method=unimodal;dimension=6,8");
            string innerTrainPath = Path.Combine(directory, "inner-train.tsv"), validationPath = Path.Combine(directory, "validation.tsv");
            #region SweepsPageValidationSplit
            var audited = mi.Sweep(edges, space, new SweepOptions { Metric = SweepMetric.Recall, Cutoff = 50 });
            audited.ValidationSplit.Save(innerTrainPath, validationPath);  // the rows the trials fitted on, and the rows they were scored on
            Console.WriteLine($"{audited.ValidationSplit.Train.Count} rows fitted on, {audited.ValidationSplit.Validation.Count} scored on");
            #endregion
            Assert.Equal(Rows().Count, EdgeFile.Read(innerTrainPath).Count + EdgeFile.Read(validationPath).Count);
            Docs.DocSnippets.AssertOnPage(Path.Combine("Sweeps", nameof(SweepValidationSplitTests) + ".cs"), "SweepsPageValidationSplit", "docs/sweeps.md");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
