using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The implicit-ALS objective (λ, ν, α0) that produced a GraphEmbedding stage's vectors, as annotations of its item embedding
/// column: the same for every row, so it rides on the column, and history-interest MMR (<see cref="MmrRetrieverEstimator"/>),
/// which sees the fit data only, reads it so that its fold-in solves the objective the vectors came from. Absent when the
/// vectors came from another algorithm, from outside the pipeline, or from a loaded chain (ML.NET's own transformers).
/// </summary>
internal static class AlsAnnotations
{
    public const string Regularization = "MultiInterest.AlsRegularization";
    public const string RegularizationExponent = "MultiInterest.AlsRegularizationExponent";
    public const string UnobservedWeight = "MultiInterest.AlsUnobservedWeight";

    /// <summary>The annotations of <paramref name="als"/>: λ, ν and α0 as Double.</summary>
    public static DataViewSchema.Annotations Of(ImplicitAlsOptions als)
    {
        double lambda = als.Regularization, nu = als.RegularizationExponent, alpha0 = als.UnobservedWeight;
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(Regularization, NumberDataViewType.Double, (ref double value) => value = lambda);
        builder.Add(RegularizationExponent, NumberDataViewType.Double, (ref double value) => value = nu);
        builder.Add(UnobservedWeight, NumberDataViewType.Double, (ref double value) => value = alpha0);
        return builder.ToAnnotations();
    }

    /// <summary>The objective annotated on <paramref name="column"/> (only λ, ν and α0 are set), or null when it carries none.</summary>
    /// <exception cref="ArgumentException">The annotations are incomplete or not Double.</exception>
    public static ImplicitAlsOptions? Read(DataViewSchema.Column column, string option)
    {
        var schema = column.Annotations.Schema;
        if (schema.GetColumnOrNull(Regularization) == null) return null;
        try
        {
            return new ImplicitAlsOptions
            {
                Regularization = Value(column, Regularization),
                RegularizationExponent = Value(column, RegularizationExponent),
                UnobservedWeight = Value(column, UnobservedWeight),
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException($"Input column '{column.Name}' (option {option}) carries implicit-ALS annotations that cannot be read: {e.Message}", e);
        }
    }

    private static double Value(DataViewSchema.Column column, string name)
    {
        if (column.Annotations.Schema.GetColumnOrNull(name) is not { Type: var type } || type != NumberDataViewType.Double)
            throw new ArgumentException($"annotation '{name}' must be a Double");
        double value = 0;
        column.Annotations.GetValue(name, ref value);
        return value;
    }
}
