using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;
using Microsoft.ML.MultiInterest.Tests.Serving;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// The models the <c>excludeItems</c> tests export, one per kind of ONNX directory ("unimodal", "quota", "mmr",
/// "history-mmr", "clustered-history-mmr", "dcm", "fusion"), over <see cref="MLNetTestData.Edges"/>, and their scorers.
/// </summary>
internal static class ExcludeItemsModels
{
    /// <summary>The stages after the embedding of model <paramref name="kind"/>, fitted on <paramref name="data"/>.</summary>
    public static ITransformer[] Stages(MLContext ml, string kind, MultiInterestCatalog mi, IDataView data)
    {
        switch (kind)
        {
            case "unimodal":
                return [mi.UnimodalRetriever(candidates: 8).Fit(data)];
            case "quota":
            {
                var kmeans = mi.SphericalKMeans(numberOfClusters: 4).Fit(data);
                var knn = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(data = kmeans.Transform(data));
                return [kmeans, knn, mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 8 }).Fit(knn.Transform(data))];
            }
            case "mmr":
                return [mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 8, Lambda = 0.7, PoolSize = 14 }).Fit(data)];
            case "history-mmr":
                return [mi.HistoryInterestMmr(candidates: 8).Fit(data)];
            case "clustered-history-mmr":
                return [mi.MmrRetriever(new MmrRetrieverEstimator.Options
                {
                    Candidates = 5, Lambda = 1, PoolSize = 30, InterestWeight = 0, Interests = MmrInterests.History, ItemsPerInterest = 3, MaxInterests = 3,
                    Threads = 1, PoolSearch = HistoryPoolSearch.Clustered, PoolLists = 8, PoolProbes = 0, PoolUserProbes = 1, PoolHistoryLists = true,
                }).Fit(data)];
            case "dcm":
                return [mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options { Candidates = 8 }).Fit(data)];
            case "fusion":
            {
                var unimodal = mi.UnimodalRetriever(candidates: 8).Fit(data);
                var copy = ml.Transforms.CopyColumns("UnimodalCandidates", MultiInterestColumnNames.Candidates).Fit(data = unimodal.Transform(data));
                var mmr = mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 8, Lambda = 0.7, PoolSize = 14 }).Fit(data = copy.Transform(data));
                return [unimodal, copy, mmr, mi.RankFusion(["UnimodalCandidates", MultiInterestColumnNames.Candidates], [0.5, 0.5], candidates: 8).Fit(mmr.Transform(data))];
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>
    /// The scorer of a directory of model <paramref name="kind"/> (also "conditional" and "merged-conditional",
    /// <see cref="MergedConditionalModel"/>'s directories), as two calls: trained users' lists and fresh histories' lists, both with excluded items;
    /// opened through <paramref name="sessions"/> when given.
    /// </summary>
    public static (Func<int[], BipartiteGraph?, int[]?, RankedLists> Trained, Func<int[][], int[]?, RankedLists> Fresh, IDisposable Scorer) Open(string kind, string onnx, int batch,
        OnnxSessionFactory? sessions = null)
    {
        switch (kind)
        {
            case "unimodal":
            {
                var s = OnnxCandidateScorer.Open(onnx, sessions, batch);
                return ((u, h, x) => s.RetrieveUnimodal(u, h, x), (h, x) => s.RetrieveUnimodalFromHistories(h, excludeItems: x), s);
            }
            case "quota":
            {
                var s = OnnxCandidateScorer.Open(onnx, sessions, batch);
                return ((u, h, x) => s.RetrieveClusterQuota(u, h, x), (h, x) => s.RetrieveClusterQuotaFromHistories(h, excludeItems: x), s);
            }
            case "mmr":
            {
                var s = OnnxMmrScorer.Open(onnx, sessions, batch);
                return ((u, h, x) => s.Retrieve(u, h, x), (h, x) => s.RetrieveFromHistories(h, excludeItems: x), s);
            }
            case "history-mmr":
            case "clustered-history-mmr":
            {
                var s = OnnxHistoryMmrScorer.Open(onnx, sessions, batch);
                return ((u, h, x) => s.Retrieve(u, h, x), (h, x) => s.RetrieveFromHistories(h, excludeItems: x), s);
            }
            case "conditional":
            {
                var s = OnnxCandidateScorer.Open(onnx, sessions, batch);
                return ((u, h, x) => s.RetrieveClusterQuota(u, h, x), (h, x) => s.RetrieveClusterQuotaFromHistories(h, excludeItems: x), s);
            }
            case "merged-conditional":
            {
                var s = OnnxConditionalMergeScorer.Open(onnx, sessions, batch);
                return ((u, h, x) => s.Retrieve(u, h, x), (h, x) => s.RetrieveFromHistories(h, excludeItems: x), s);
            }
            case "dcm":
            {
                var s = OnnxRoundRobinScorer.Open(onnx, sessions, batch);
                return ((u, h, x) => s.Retrieve(u, h, x), (h, x) => s.RetrieveFromHistories(h, excludeItems: x), s);
            }
            default:
            {
                var s = OnnxFusionScorer.Open(onnx, sessions, batch);
                return ((u, h, x) => s.Retrieve(u, h, x), (h, x) => s.RetrieveFromHistories(h, x), s);
            }
        }
    }

    /// <summary>The lists of <paramref name="kind"/>'s directory <paramref name="onnx"/> for trained <paramref name="users"/>, then for fresh <paramref name="histories"/>, as rows and scores.</summary>
    public static (int[][] Rows, float[][] Scores) Lists(string kind, string onnx, int[] users, int[][] histories)
    {
        var (trained, fresh, scorer) = Open(kind, onnx, batch: 4);
        using (scorer)
        {
            var a = trained(users, null, null);
            var b = fresh(histories, null);
            return ([.. users.Select((_, q) => a.IndicesOf(q).ToArray()), .. histories.Select((_, q) => b.IndicesOf(q).ToArray())],
                [.. users.Select((_, q) => a.ScoresOf(q).ToArray()), .. histories.Select((_, q) => b.ScoresOf(q).ToArray())]);
        }
    }

    /// <summary>
    /// Model <paramref name="kind"/>, saved under <paramref name="directory"/> and loaded: the kinds of <see cref="Exported"/>, a
    /// "conditional" or "merged-conditional" stage (<see cref="MergedConditionalModel"/>), or a "divide-conquer" quota stage
    /// reading fresh histories by the model (its history encoder and its own quota scorer for their m = 3).
    /// </summary>
    public static MultiInterestModel Saved(MLContext ml, string directory, string kind) => kind switch
    {
        "conditional" => MergedConditionalModel.Saved(ml, Path.Combine(directory, kind + ".zip"), implicitShare: 0),
        "merged-conditional" => MergedConditionalModel.Saved(ml, Path.Combine(directory, kind + ".zip")),
        "divide-conquer" => DivideConquerModel(directory),
        _ => Exported(ml, directory, kind).Model,
    };

    private static MultiInterestModel DivideConquerModel(string directory)
    {
        var world = new DivideConquerWorld();
        var chain = world.QuotaChain(world.DivideConquer(), HistoryMixture.DivideConquer, 6, userColumn: MultiInterestColumnNames.UserEmbedding);
        return world.SaveAndLoad(chain, Path.Combine(directory, "divide-conquer.zip"));
    }

    /// <summary>Model <paramref name="kind"/> over the planted graph, saved, loaded and exported to ONNX under <paramref name="directory"/>.</summary>
    public static (MultiInterestModel Model, string Onnx) Exported(MLContext ml, string directory, string kind)
    {
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keys = MLNetTestData.KeyPipeline(ml).Fit(raw);
        var keyed = keys.Transform(raw);
        var mi = ml.MultiInterest();
        var options = kind == "dcm" ? RoundRobinRetrieverMLNetTests.Embedding("dcm") : kind == "clustered-history-mmr" ? new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 8, Threads = 1,
            Als = new ImplicitAlsOptions { Regularization = 0.05, RegularizationExponent = 0.5, UnobservedWeight = 0.1, Iterations = 6 },
        } : MLNetTestData.SmallEmbedding();
        var vectors = mi.GraphEmbedding(options).Fit(keyed);
        string path = Path.Combine(directory, kind + ".zip"), onnx = Path.Combine(directory, kind + "-onnx");
        ml.Model.Save(new TransformerChain<ITransformer>([keys, vectors, .. Stages(ml, kind, mi, vectors.Transform(keyed))]), raw.Schema, path);
        var model = MultiInterestModel.Load(ml, path);
        model.ExportOnnx(onnx);
        return (model, onnx);
    }
}
