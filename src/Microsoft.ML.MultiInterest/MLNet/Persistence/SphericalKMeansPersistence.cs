using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Saving and reading back spherical k-means: the centroids, and (with an item column) each item key's
/// fitted cluster and similarity. The graph computes the nearest centroid by cosine (first maximum on
/// ties, a zero vector to cluster 1 with similarity 0) and lets a fitted item keep its fitted cluster.
/// </summary>
internal static class SphericalKMeansPersistence
{
    private const string Centroids = "centroids", FittedClusters = "fitted_clusters", FittedSimilarities = "fitted_similarities";
    private const string FeatureColumnKey = "FeatureColumn", ItemColumnKey = "ItemColumn", ClusterColumnKey = "ClusterColumn", SimilarityColumnKey = "SimilarityColumn";

    public static ITransformer CreateSavable(string featureColumn, string? itemColumn, string clusterColumn, string similarityColumn,
        EmbeddingMatrix centroids, int[] fittedCluster, float[] fittedSimilarity)
    {
        int k = centroids.Rows, d = centroids.Dimension;
        var builder = new SavedChainBuilder(SavedModelFormat.SphericalKMeansStage);
        builder.Metadata(FeatureColumnKey, featureColumn);
        builder.Metadata(ItemColumnKey, itemColumn ?? "");
        builder.Metadata(ClusterColumnKey, clusterColumn);
        builder.Metadata(SimilarityColumnKey, similarityColumn);
        string x = builder.VectorInput(featureColumn, d);
        var g = builder.Graph
            .AddInitializer(Centroids, [k, d], centroids.Values)
            .AddInitializer("zero", [], [0f])
            .AddInitializer("one", [], [1L])
            .AddNode("MatMul", [Centroids, x], ["scores"])
            .AddNode("ArgMax", ["scores"], ["nearest"], OnnxAttributes.Int("axis", 0), OnnxAttributes.Int("keepdims", 1), OnnxAttributes.Int("select_last_index", 0))
            .AddNode("ReduceMax", ["scores"], ["best_score"], OnnxAttributes.Ints("axes", [0]), OnnxAttributes.Int("keepdims", 1))
            .AddNode("ReduceSumSquare", [x], ["norm_squared"], OnnxAttributes.Ints("axes", [0]), OnnxAttributes.Int("keepdims", 1))
            .AddNode("Sqrt", ["norm_squared"], ["norm"])
            .AddNode("Div", ["best_score", "norm"], ["cosine"])
            .AddNode("Equal", ["norm", "zero"], ["no_direction"])
            .AddNode("Where", ["no_direction", "zero", "cosine"], ["nearest_similarity"]);
        string cluster = "nearest", similarity = "nearest_similarity";
        if (itemColumn != null)
        {
            string item = builder.KeyInput(itemColumn, fittedCluster.Length);
            var clusters = new long[fittedCluster.Length + 1];
            clusters[0] = -1;
            for (int i = 0; i < fittedCluster.Length; i++) clusters[i + 1] = fittedCluster[i];
            g.AddInitializer(FittedClusters, [clusters.Length], clusters)
                .AddInitializer(FittedSimilarities, [fittedSimilarity.Length + 1], [0f, .. fittedSimilarity])
                .AddInitializer("minus_one", [], [-1L])
                .AddNode("Gather", [FittedClusters, item], ["fitted"], OnnxAttributes.Int("axis", 0))
                .AddNode("Gather", [FittedSimilarities, item], ["fitted_similarity"], OnnxAttributes.Int("axis", 0))
                .AddNode("Greater", ["fitted", "minus_one"], ["was_fitted"])
                .AddNode("Where", ["was_fitted", "fitted", "nearest"], ["chosen"])
                .AddNode("Where", ["was_fitted", "fitted_similarity", "nearest_similarity"], ["chosen_similarity"]);
            (cluster, similarity) = ("chosen", "chosen_similarity");
        }
        g.AddNode("Add", [cluster, "one"], ["cluster_key"])
            .AddNode("Cast", ["cluster_key"], ["cluster_name"], OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.String));
        builder.KeyOutput(clusterColumn, "cluster_name", 0, KeyValuesAnnotation.Numbers(k));
        builder.ScalarOutput(similarityColumn, similarity);
        return builder.Build();
    }

    public static SavedClustering Read(ModelProto model)
    {
        var meta = SavedMetadata.Of(model);
        var tensor = OnnxTensorReader.Find(model, Centroids);
        var shape = OnnxTensorReader.Shape(tensor);
        var centroids = new EmbeddingMatrix(shape[0], shape[1], OnnxTensorReader.Floats(tensor));
        string itemColumn = meta.GetValueOrDefault(ItemColumnKey, "");
        int[] fitted = [];
        if (itemColumn.Length > 0)
            fitted = OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, FittedClusters)).Skip(1).Select(c => (int)c).ToArray();
        return new SavedClustering(meta.GetValueOrDefault(FeatureColumnKey, ""), itemColumn.Length > 0 ? itemColumn : null,
            meta.GetValueOrDefault(ClusterColumnKey, ""), meta.GetValueOrDefault(SimilarityColumnKey, ""), centroids, fitted);
    }
}
