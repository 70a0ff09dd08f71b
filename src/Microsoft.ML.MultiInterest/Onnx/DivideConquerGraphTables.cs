using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Reads a quota or unimodal directory's divide-and-conquer history encoder (<see cref="DivideConquerOnnxExporter"/>) back into the model
/// it was written from, so that <see cref="OnnxCandidateScorer"/> builds a fresh history's mixture with the engine's own
/// <see cref="DivideConquerModel.BuildMixtures"/> (or its query, <see cref="DivideConquerModel.UserQueries"/>), as the live stage does (the graph's float sums run in another order, so
/// its queries are the engine's only to rounding). The tables are the graph's initializers, bit for bit: the input vectors,
/// the clusters, the prompts, the attention query, the prior π, the smoothing s and m.
/// </summary>
internal static class DivideConquerGraphTables
{
    /// <summary>
    /// The model of the encoder at <paramref name="path"/> over the directory's item table <paramref name="items"/>; with
    /// <paramref name="mixture"/> (the directory reads a fresh history's mixture by it) over the quota scorer's clusters and, unless
    /// fresh histories have their own scorer (<paramref name="ownScorer"/>, checked against the model's m when opened), at most the
    /// trained users' components.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">The graph is not a pooling encoder over the directory's items (clusters and components), or its tables are damaged.</exception>
    public static DivideConquerModel Read(string path, OnnxServingManifest manifest, EmbeddingMatrix items, bool mixture, bool ownScorer = false)
    {
        if (!OnnxVerifiedOpening.Exists(path)) throw new FileNotFoundException($"The ONNX serving manifest lists '{Path.GetFileName(path)}', which is missing.", path);
        ModelProto model;
        try
        {
            using var file = OnnxVerifiedOpening.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(file);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}", e);
        }
        bool Has(string name) => model.Graph.Initializer.Any(t => t.Name == name);
        TensorProto Find(string name) => OnnxTensorReader.Find(model, name);
        string Fail(string what) => throw new InvalidDataException($"'{path}' is not the divide-and-conquer history encoder of this directory: {what}. Export the directory again.");

        if (Has(DivideConquerOnnxExporter.PositionsName)) Fail("it is a self-attention encoder, which reads time order the directory's scorers do not keep");
        var inputs = Find(DivideConquerOnnxExporter.HistoryItemsName);
        int[] shape = OnnxTensorReader.Shape(inputs);
        if (shape.Length != 2 || shape[0] != manifest.Items || shape[1] != manifest.Dimension)
            Fail($"its input vectors are [{string.Join(", ", shape)}], the directory's items [{manifest.Items}, {manifest.Dimension}]");
        var prior = OnnxTensorReader.Doubles(Find(DivideConquerOnnxExporter.PriorName), path);
        int k = prior.Length;
        if (k < 1 || (mixture && k != manifest.Clusters)) Fail($"it has {k} clusters, the quota scorer {manifest.Clusters}");
        var clusters = OnnxTensorReader.Int64s(Find(DivideConquerOnnxExporter.ClusterOfName), path);
        if (clusters.Length != manifest.Items || clusters.Any(c => c < 0 || c >= k)) Fail($"its item clusters are not {manifest.Items} clusters in 0..{k - 1}");
        var prompts = OnnxTensorReader.Floats(Find(DivideConquerOnnxExporter.PromptsName), path);
        if (prompts.Length != k * manifest.Dimension) Fail($"its prompts hold {prompts.Length} values, not {k} x {manifest.Dimension}");
        double smoothing = OnnxTensorReader.Doubles(Find(DivideConquerOnnxExporter.SmoothingName), path).Single();
        long m = OnnxTensorReader.Int64s(Find(DivideConquerOnnxExporter.ComponentsName), path).Single();
        // A mixture padded to the trained users' scorer never has more components than it takes.
        int most = mixture && !ownScorer ? Math.Min(k, manifest.Components) : k;
        if (m < 1 || m > most) Fail($"m = {m}, outside 1..{most} (the clusters{(mixture ? ", the quota scorer's components" : "")})");
        var query = Has(DivideConquerOnnxExporter.AttentionQueryName) ? OnnxTensorReader.Floats(Find(DivideConquerOnnxExporter.AttentionQueryName), path) : null;
        if (query != null && query.Length != manifest.Dimension) Fail($"its attention query holds {query.Length} values, not {manifest.Dimension}");
        // The exporter writes ones for a model trained without prompts (t = 1): the same queries, read as no prompts.
        bool noPrompts = prompts.All(t => t == 1f);
        var tables = new HistoryEncoderTables(query != null ? DivideConquerEncoder.AttentionPooling : DivideConquerEncoder.MeanPooling,
            [.. Enumerable.Range(0, manifest.Items)], new EmbeddingMatrix(manifest.Items, manifest.Dimension, OnnxTensorReader.Floats(inputs, path)),
            [.. clusters.Select(c => (int)c)], noPrompts ? null : new EmbeddingMatrix(k, manifest.Dimension, prompts),
            query != null ? new EmbeddingMatrix(1, manifest.Dimension, query) : null, prior, smoothing, (int)m);
        return tables.Checked($"The ONNX history encoder '{path}'").ToModel(items);
    }
}
