using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Starts a trainer's table of unit rows from given vectors instead of its random draws (DCM's items, the mixture
/// embeddings' users and items). The random rows are drawn first either way, so the other draws do not depend on the start.
/// </summary>
internal static class EmbeddingWarmStart
{
    /// <summary>
    /// Moves each node's <paramref name="components"/> random unit rows of <paramref name="table"/> to its row of
    /// <paramref name="start"/>: with <paramref name="spread"/> 0 to unit(start) exactly, otherwise to
    /// unit(unit(start) + spread · random row), near the start and apart from each other. A zero start row keeps the random
    /// rows, since a zero vector has no direction to train from.
    /// </summary>
    public static void Apply(EmbeddingTable table, EmbeddingMatrix start, int components, float spread)
    {
        int d = table.Dimension;
        for (int node = 0; node < start.Rows; node++)
        {
            var source = start.ReadRow(node);
            float norm = TensorPrimitives.Norm(source);
            if (norm <= UnitRows.MinimumNorm) continue;
            for (int c = 0; c < components; c++)
            {
                var row = table.Values.AsSpan((node * components + c) * table.Stride, d);
                if (spread == 0)
                {
                    source.CopyTo(row);
                }
                else
                {
                    TensorPrimitives.Multiply(row, spread, row);
                    TensorPrimitives.MultiplyAdd(source, 1f / norm, row, row);
                }
                UnitRows.Project(row);
            }
        }
    }
}
