using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Tests.MLNet;
using Microsoft.ML.MultiInterest.Tests.Persistence;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>The planted graph's whole pipeline fitted, saved and loaded back, with the requests the serving tests send.</summary>
internal sealed class ServingWorld : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-live-").FullName;

    public ServingWorld(Func<MultiInterestCatalog, IEstimator<ITransformer>>? retriever = null, GraphEmbeddingTrainer.Options? embedding = null,
        SphericalKMeansTrainer.Options? kmeans = null)
    {
        Stages = new FittedStages();
        Ml = Stages.Ml;
        var mi = Ml.MultiInterest();
        var pipeline = MLNetTestData.KeyPipeline(Ml)
            .Append(mi.GraphEmbedding(embedding ?? MLNetTestData.SmallEmbedding()))
            .Append(kmeans == null ? mi.SphericalKMeans(numberOfClusters: 4) : mi.SphericalKMeans(kmeans))
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))
            .Append(retriever?.Invoke(mi) ?? mi.ClusterQuotaRetriever(candidates: 5));
        Fitted = pipeline.Fit(Stages.Raw);
        ModelPath = Path.Combine(_directory, "model.zip");
        Ml.Model.Save(Fitted, Stages.Raw.Schema, ModelPath);
        Loaded = MultiInterestModel.Load(Ml, ModelPath);
        Users = Stages.Edges.Select(e => e.User).Distinct().ToArray();
        Items = Stages.Edges.Select(e => e.Item).Distinct().ToArray();
    }

    public FittedStages Stages { get; }

    public MLContext Ml { get; }

    public ITransformer Fitted { get; }

    public string ModelPath { get; }

    public MultiInterestModel Loaded { get; }

    public string[] Users { get; }

    public string[] Items { get; }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// Every trained user's list from the loaded model twice, as item ids: by the engine, and by ONNX Runtime over the model's
    /// export (written beside the saved zip); neither given exclusions, so each excludes the stored training history.
    /// </summary>
    public (string User, string[] Engine, string[] Onnx)[] EngineAndOnnxLists()
    {
        var ids = Loaded.GraphEmbedding!.UserIds;
        var itemIds = Loaded.GraphEmbedding.ItemIds;
        int[] rows = Enumerable.Range(0, ids.Count).ToArray();
        var engine = Loaded.RetrieveWithEngine(rows, threads: 1);
        string onnx = Path.Combine(Path.GetDirectoryName(ModelPath)!, "onnx");
        Loaded.ExportOnnx(onnx);
        using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: 4);
        var viaOnnx = scorer.RetrieveClusterQuota(rows, Loaded.TrainingHistory());
        return rows.Select(q => (ids[q], engine.IndicesOf(q).ToArray().Select(i => itemIds[i]).ToArray(), viaOnnx.IndicesOf(q).ToArray().Select(i => itemIds[i]).ToArray())).ToArray();
    }

    /// <summary>Requests of every kind: trained users alone and with fresh history, new users with history, new users without.</summary>
    public List<Request> Requests(int count, int seed)
    {
        var random = new Random(seed);
        var requests = new List<Request>(count);
        for (int n = 0; n < count; n++)
        {
            int kind = random.Next(4);
            string user = kind < 2 ? Users[random.Next(Users.Length)] : $"new{random.Next(50)}";
            string[] history = kind is 1 or 2 ? Enumerable.Range(0, 1 + random.Next(4)).Select(_ => Items[random.Next(Items.Length)]).ToArray() : [];
            requests.Add(new Request { User = user, History = history });
        }
        return requests;
    }

    /// <summary>One request row: a raw user id, the dummy item the upstream stages read, and fresh history as raw ids.</summary>
    public sealed class Request
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public string[] History { get; set; } = [];
    }

    /// <summary>The retriever's output columns as a prediction engine returns them.</summary>
    public sealed class Response
    {
        public uint[] Candidates { get; set; } = [];

        public float[] CandidateScores { get; set; } = [];

        public string CandidateSource { get; set; } = "";
    }

    /// <summary>Each row's list as raw item ids, scores and source, read through the candidates column's KeyValues.</summary>
    public static List<(string[] Items, float[] Scores, string Source)> Read(IDataView scored)
    {
        var column = scored.Schema[MultiInterestColumnNames.Candidates];
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        column.GetKeyValues(ref names);
        var ids = names.DenseValues().Select(n => n.ToString()).ToArray();
        var keys = scored.GetColumn<VBuffer<uint>>(column).Select(v => v.DenseValues().ToArray()).ToArray();
        var scores = scored.GetColumn<VBuffer<float>>(scored.Schema[MultiInterestColumnNames.CandidateScores]).Select(v => v.DenseValues().ToArray()).ToArray();
        var sources = scored.GetColumn<ReadOnlyMemory<char>>(scored.Schema[MultiInterestColumnNames.CandidateSource]).Select(s => s.ToString()).ToArray();
        return keys.Select((k, r) =>
        {
            int count = k.TakeWhile(key => key != 0).Count();
            return (k[..count].Select(key => ids[key - 1]).ToArray(), scores[r][..count], sources[r]);
        }).ToList();
    }
}
