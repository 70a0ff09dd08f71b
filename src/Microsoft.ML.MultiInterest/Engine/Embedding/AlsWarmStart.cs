using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The warm start of implicit ALS (<see cref="ImplicitAlsOptions.InitialItems"/>): which fits it applies to, and how the
/// item table takes it.
/// </summary>
internal static class AlsWarmStart
{
    /// <summary>
    /// Whether a fit with <paramref name="o"/> (concrete: not Auto) starts from a table of <paramref name="dimension"/>
    /// columns: implicit ALS at that dimension. Auto applies the start to its final fit only under this rule.
    /// </summary>
    public static bool AppliesTo(GraphEmbeddingOptions o, int dimension) => o.Algorithm == EmbeddingAlgorithm.ImplicitAls && o.Dimension == dimension;

    /// <summary>
    /// Overwrites the rows of <paramref name="items"/> (row-major, <paramref name="d"/> columns, already drawn) that have a
    /// non-zero row in <paramref name="start"/>; returns which rows were started (zero rows keep their draw: new items).
    /// </summary>
    public static bool[] Apply(double[] items, int d, EmbeddingMatrix start)
    {
        var started = new bool[start.Rows];
        for (int row = 0; row < start.Rows; row++)
        {
            var source = start.ReadRow(row);
            if (TensorPrimitives.MaxMagnitude(source) == 0) continue;
            var target = items.AsSpan(row * d, d);
            for (int k = 0; k < d; k++) target[k] = source[k];
            started[row] = true;
        }
        return started;
    }

    /// <summary>
    /// The options without their start table and its warm-start iterations (what results report): without the table the
    /// iterations would make settings the options refuse (a fitted <c>GraphEmbeddingTransformer.Als</c> given to a cold fit).
    /// </summary>
    public static ImplicitAlsOptions WithoutStart(ImplicitAlsOptions a)
    {
        if (a.InitialItems == null && a.WarmStartIterations == 0) return a;
        var copy = a.Clone();
        copy.InitialItems = null;
        copy.WarmStartIterations = 0;
        return copy;
    }

    /// <summary>
    /// A copy of <paramref name="o"/> to fit cold: its ALS settings have no start table and no warm-start iterations, which
    /// mean nothing without one (<paramref name="o"/> itself when it has neither).
    /// </summary>
    public static GraphEmbeddingOptions WithoutStart(GraphEmbeddingOptions o)
    {
        if (o.Als.InitialItems == null && o.Als.WarmStartIterations == 0) return o;
        var copy = o.Clone();
        copy.Als.InitialItems = null;
        copy.Als.WarmStartIterations = 0;
        return copy;
    }
}
