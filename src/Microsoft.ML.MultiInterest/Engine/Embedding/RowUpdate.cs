using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Applies one row's gradient to a shared <see cref="EmbeddingTable"/> with the chosen optimiser. Writes are plain
/// (no locks, no atomics): concurrent updates of the same row may interleave, which Hogwild accepts because rows
/// are rarely touched by two threads at once.
/// </summary>
internal static class RowUpdate
{
    /// <summary>Adagrad's ε, PyTorch-BigGraph's value: only guards the first step of a row.</summary>
    public const float Epsilon = 1e-10f;

    /// <summary>Updates <paramref name="row"/> of <paramref name="table"/> by <paramref name="gradient"/> (padded); zero gradients are skipped.</summary>
    /// <param name="table">The shared table.</param>
    /// <param name="row">Row index.</param>
    /// <param name="gradient">Padded gradient of the loss with respect to the row.</param>
    /// <param name="optimizer">Update rule.</param>
    /// <param name="learningRate">Learning rate for this step (already decayed for SGD).</param>
    public static void Apply(EmbeddingTable table, int row, ReadOnlySpan<float> gradient, EmbeddingOptimizer optimizer, float learningRate)
    {
        int stride = table.Stride;
        ref float g = ref MemoryMarshal.GetReference(gradient);
        float squared = ChunkKernels.Dot(ref g, ref g, stride);
        if (squared == 0f) return; // untouched slot (for example every negative far beyond the margin)
        ref float target = ref table.Values[row * stride];
        float step;
        if (optimizer == EmbeddingOptimizer.Adagrad)
        {
            ref float acc = ref table.Accumulators[row];
            acc += squared / table.Dimension;
            step = learningRate / (MathF.Sqrt(acc) + Epsilon);
        }
        else
        {
            step = learningRate;
        }
        ChunkKernels.AddScaled(ref target, ref g, -step, stride);
    }
}
