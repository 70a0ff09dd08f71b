using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// A differentiable-clustering model's soft k-means settings (seeds, τ, β, T, the weights' exponent) as annotations of its user components
/// column: they are the same for every row, so they ride on the column, and the round-robin retriever, which sees the
/// fit data only, reads them to compute the interests of a user who has only a fresh history.
/// </summary>
internal static class DcmAnnotations
{
    public const string Seeds = "MultiInterest.DcmSeeds";
    public const string Temperature = "MultiInterest.DcmTemperature";
    public const string PriorWeight = "MultiInterest.DcmPriorWeight";
    public const string Iterations = "MultiInterest.DcmIterations";
    public const string WeightExponent = "MultiInterest.DcmWeightExponent";

    /// <summary>The annotations of <paramref name="dcm"/>: the seeds as a [K, d] Single vector, τ and β as Single, T as Int32.</summary>
    public static DataViewSchema.Annotations Of(DcmClustering dcm)
    {
        int k = dcm.Interests, d = dcm.Seeds.Dimension;
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(Seeds, new VectorDataViewType(NumberDataViewType.Single, k, d), (ref VBuffer<float> value) =>
        {
            var editor = VBufferEditor.Create(ref value, k * d);
            dcm.Seeds.Values.AsSpan(0, k * d).CopyTo(editor.Values);
            value = editor.Commit();
        });
        builder.Add(Temperature, NumberDataViewType.Single, (ref float value) => value = dcm.Temperature);
        builder.Add(PriorWeight, NumberDataViewType.Single, (ref float value) => value = dcm.PriorWeight);
        builder.Add(Iterations, NumberDataViewType.Int32, (ref int value) => value = dcm.Iterations);
        builder.Add(WeightExponent, NumberDataViewType.Single, (ref float value) => value = dcm.WeightExponent);
        return builder.ToAnnotations();
    }

    /// <summary>The settings annotated on <paramref name="column"/>, or null when it carries none (a mixture-embedding model).</summary>
    /// <exception cref="ArgumentException">The annotations are incomplete or not of their types.</exception>
    public static DcmClustering? Read(DataViewSchema.Column column, string option)
    {
        var schema = column.Annotations.Schema;
        if (schema.GetColumnOrNull(Seeds) is not { } seedsColumn) return null;
        try
        {
            if (seedsColumn.Type is not VectorDataViewType { ItemType: var item, Dimensions: [int k, int d] } || item != NumberDataViewType.Single)
                throw new ArgumentException($"annotation '{Seeds}' must be a [K, d] vector of Single, but it is {seedsColumn.Type}");
            VBuffer<float> seeds = default;
            column.Annotations.GetValue(Seeds, ref seeds);
            float tau = 0, beta = 0;
            int iterations = 0;
            column.Annotations.GetValue(Temperature, ref tau);
            column.Annotations.GetValue(PriorWeight, ref beta);
            column.Annotations.GetValue(Iterations, ref iterations);
            // Absent in data annotated before the exponent existed: those weights were the masses themselves.
            float exponent = DcmDefaults.WeightExponent;
            if (schema.GetColumnOrNull(WeightExponent) != null) column.Annotations.GetValue(WeightExponent, ref exponent);
            return new DcmClustering(new EmbeddingMatrix(k, d, seeds.DenseValues().ToArray()), tau, beta, iterations, exponent);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException($"Input column '{column.Name}' (option {option}) carries differentiable-clustering annotations that cannot be read: {e.Message}", e);
        }
    }
}
