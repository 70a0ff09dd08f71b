using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Saving and reading back spherical k-means: the centroids, and (with an item column) each fitted item's
/// cluster and similarity (per item key, or for the fitted item keys only when others exist: <see cref="PresentKeys"/>).
/// The graph computes the nearest centroid by cosine (first maximum on ties; a zero vector to the missing key 0 with
/// similarity NaN, as the fitted stage's Transform; graphs saved before 1.18.0 give it cluster 1 with similarity 0) and
/// lets a fitted item keep its fitted cluster.
/// </summary>
internal static class SphericalKMeansPersistence
{
    private const string Centroids = "centroids", FittedClusters = "fitted_clusters", FittedSimilarities = "fitted_similarities", FittedItemKeys = "fitted_items";
    private const string ItemKeyCountKey = "ItemKeyCount";
    private const string FeatureColumnKey = "FeatureColumn", ItemColumnKey = "ItemColumn", ClusterColumnKey = "ClusterColumn", SimilarityColumnKey = "SimilarityColumn";

    public static ITransformer CreateSavable(string featureColumn, string? itemColumn, string clusterColumn, string similarityColumn,
        EmbeddingMatrix centroids, FittedItems fitted)
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
            .AddInitializer("not_a_number", [], [float.NaN])
            .AddInitializer("none", [], [-1L])
            .AddInitializer("one", [], [1L])
            .AddNode("MatMul", [Centroids, x], ["scores"])
            .AddNode("ArgMax", ["scores"], ["nearest_centroid"], OnnxAttributes.Int("axis", 0), OnnxAttributes.Int("keepdims", 1), OnnxAttributes.Int("select_last_index", 0))
            .AddNode("ReduceMax", ["scores"], ["best_score"], OnnxAttributes.Ints("axes", [0]), OnnxAttributes.Int("keepdims", 1))
            .AddNode("ReduceSumSquare", [x], ["norm_squared"], OnnxAttributes.Ints("axes", [0]), OnnxAttributes.Int("keepdims", 1))
            .AddNode("Sqrt", ["norm_squared"], ["norm"])
            .AddNode("Div", ["best_score", "norm"], ["cosine"])
            .AddNode("Equal", ["norm", "zero"], ["no_direction"])
            // No direction, no cluster: -1 becomes key text "0", which the output's MapValueToKey maps to the missing key.
            .AddNode("Where", ["no_direction", "none", "nearest_centroid"], ["nearest"])
            .AddNode("Where", ["no_direction", "not_a_number", "cosine"], ["nearest_similarity"]);
        string cluster = "nearest", similarity = "nearest_similarity";
        if (itemColumn != null)
        {
            string item = builder.KeyInput(itemColumn, fitted.KeyCount);
            // Row 0 is "not fitted" (cluster -1): key 0, and any key without a fitted cluster.
            var clusters = new long[fitted.Rows.Length + 1];
            var similarities = new float[fitted.Rows.Length + 1];
            clusters[0] = -1;
            for (int j = 0; j < fitted.Rows.Length; j++)
            {
                clusters[j + 1] = fitted.Clusters[j];
                similarities[j + 1] = fitted.Similarities[j];
            }
            if (PresentKeys.AreAll(fitted.Rows, fitted.KeyCount)) (clusters, similarities) = PerKey(fitted);
            string row = PresentKeys.Declare(builder, item, FittedItemKeys, ItemKeyCountKey, fitted.KeyCount, fitted.Rows);
            g.AddInitializer(FittedClusters, [clusters.Length], clusters)
                .AddInitializer(FittedSimilarities, [similarities.Length], similarities)
                .AddNode("Gather", [FittedClusters, row], ["fitted"], OnnxAttributes.Int("axis", 0))
                .AddNode("Gather", [FittedSimilarities, row], ["fitted_similarity"], OnnxAttributes.Int("axis", 0))
                .AddNode("Greater", ["fitted", "none"], ["was_fitted"])
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

    /// <summary>The version-1 tables: one entry per item key after the "not fitted" row 0.</summary>
    private static (long[] Clusters, float[] Similarities) PerKey(FittedItems fitted)
    {
        var clusters = new long[fitted.KeyCount + 1];
        var similarities = new float[fitted.KeyCount + 1];
        Array.Fill(clusters, -1);
        for (int j = 0; j < fitted.Rows.Length; j++)
        {
            clusters[fitted.Rows[j] + 1] = fitted.Clusters[j];
            similarities[fitted.Rows[j] + 1] = fitted.Similarities[j];
        }
        return (clusters, similarities);
    }

    public static SavedClustering Read(ModelProto model)
    {
        var meta = SavedMetadata.Of(model);
        var tensor = OnnxTensorReader.Find(model, Centroids);
        var shape = OnnxTensorReader.Shape(tensor);
        var centroids = new EmbeddingMatrix(shape[0], shape[1], OnnxTensorReader.Floats(tensor));
        string itemColumn = meta.GetValueOrDefault(ItemColumnKey, "");
        var fitted = new FittedItems(0, [], [], []);
        if (itemColumn.Length > 0)
        {
            var clusters = OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, FittedClusters));
            var similarities = OnnxTensorReader.Floats(OnnxTensorReader.Find(model, FittedSimilarities));
            var rows = PresentKeys.Read(model, FittedItemKeys);
            if (rows == null)
            {
                // One entry per item key: the fitted ones are those with a cluster.
                var keys = Enumerable.Range(0, clusters.Length - 1).Where(i => clusters[i + 1] >= 0).ToArray();
                fitted = new FittedItems(clusters.Length - 1, keys, keys.Select(i => (int)clusters[i + 1]).ToArray(), keys.Select(i => similarities[i + 1]).ToArray());
            }
            else
            {
                fitted = new FittedItems(PresentKeys.KeyCount(meta, ItemKeyCountKey, 0), rows, clusters.Skip(1).Select(c => (int)c).ToArray(), similarities[1..]);
            }
        }
        return new SavedClustering(meta.GetValueOrDefault(FeatureColumnKey, ""), itemColumn.Length > 0 ? itemColumn : null,
            meta.GetValueOrDefault(ClusterColumnKey, ""), meta.GetValueOrDefault(SimilarityColumnKey, ""), centroids, fitted);
    }
}
