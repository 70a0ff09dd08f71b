using System.Diagnostics;
using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Trains a <see cref="ConditionalModel"/>: t_c = 0 and β_c = 0 at the start (so e_u^c = u), then epochs over the shuffled
/// edges whose item has a condition; each edge (u, i) with i in condition c builds the leave-one-out history mean h of u's
/// other items in c, draws hard negatives from c and global negatives from all items (never the target; a hard negative the
/// user engaged with is redrawn a few times), and takes one Adagrad step on t_c and β_c (<see cref="ConditionalEdgeModel"/>).
/// One thread: the parameters are a few per condition, so edges of a popular condition would collide under Hogwild, and a
/// seed fixes the result.
/// </summary>
internal static class ConditionalTrainer
{
    /// <summary>Adagrad's starting accumulator: the first steps are about lr / sqrt(0.1 + g²) · g.</summary>
    private const float InitialAccumulator = 0.1f;

    /// <summary>How often a hard negative the user engaged with is redrawn before it is kept.</summary>
    private const int Redraws = 3;

    public static ConditionalModel Fit(BipartiteGraph train, EmbeddingMatrix users, EmbeddingMatrix items, ItemConditions conditions, ConditionalOptions o,
        IProgress<EpochStats>? progress, CancellationToken ct)
    {
        int d = items.Dimension, count = conditions.Count;
        var edgeUsers = new int[train.EdgeCount];
        var offsets = train.Offsets;
        var edgeItems = train.EdgeItems;
        var edges = new List<int>(train.EdgeCount);
        double positive = 0;
        for (int u = 0; u < train.UserCount; u++)
            for (int e = offsets[u]; e < offsets[u + 1]; e++)
            {
                edgeUsers[e] = u;
                if (conditions.ConditionOf(edgeItems[e]) == ItemConditions.None) continue;
                edges.Add(e);
                positive += Math.Abs(VectorMath.Dot(users.ReadRow(u), items.ReadRow(edgeItems[e])));
            }
        if (edges.Count == 0)
            throw new ArgumentException("No training edge's item has a condition: every item's condition is None, so there is nothing to condition on.", nameof(conditions));
        // The logits are scores over T = τ × the mean |⟨u, i⟩| of the training edges, so τ means the same on any embedding scale.
        double scale = Math.Max(positive / edges.Count, 1e-6);
        float inverseTemperature = (float)(1 / (o.Temperature * scale));

        var vectors = new EmbeddingMatrix(count, d);
        var betas = new float[count];
        var vectorAccumulators = new float[count * d];
        var betaAccumulators = new float[count];
        Array.Fill(vectorAccumulators, InitialAccumulator);
        Array.Fill(betaAccumulators, InitialAccumulator);
        var model = new ConditionalEdgeModel(d, 1 + o.HardNegatives + o.GlobalNegatives);
        var order = edges.ToArray();
        var random = new EmbeddingRandom(o.Seed, 0);
        var stats = new List<EpochStats>();
        var step = new float[d];
        var weights = train.HasWeights ? train.EdgeWeights : default;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            random.Shuffle(order);
            double loss = 0, weightSum = 0;
            for (int t = 0; t < order.Length; t++)
            {
                if ((t & 4095) == 0) ct.ThrowIfCancellationRequested();
                int e = order[t], u = edgeUsers[e], target = edgeItems[e], c = conditions.ConditionOf(target);
                LeaveOneOutMean(train, u, e, c, conditions, items, model.History);
                users.ReadRow(u).CopyTo(model.User);
                vectors.ReadRow(c).CopyTo(model.Condition);
                model.Beta = betas[c];
                items.ReadRow(target).CopyTo(model.Candidates.AsSpan(0, d));
                int n = 1 + DrawNegatives(train, u, target, conditions.MembersOf(c), items, o, ref random, model.Candidates);
                float w = weights.IsEmpty ? 1f : weights[e];
                loss += w * model.Compute(n, inverseTemperature, o.L2);
                weightSum += w;

                // Adagrad on t_c and β_c.
                var g = model.ConditionGradient;
                TensorPrimitives.Multiply(g, w, g);
                var acc = vectorAccumulators.AsSpan(c * d, d);
                TensorPrimitives.MultiplyAdd(g, g, acc, acc);
                TensorPrimitives.Sqrt(acc, step);
                TensorPrimitives.Divide(g, step, step);
                TensorPrimitives.MultiplyAdd(step, -o.LearningRate, vectors.Row(c), vectors.Row(c));
                float gb = w * model.BetaGradient;
                betaAccumulators[c] += gb * gb;
                betas[c] -= o.LearningRate * gb / MathF.Sqrt(betaAccumulators[c]);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            var s = new EpochStats(epoch, loss / Math.Max(weightSum, 1e-12), seconds, order.Length / Math.Max(seconds, 1e-9));
            stats.Add(s);
            progress?.Report(s);
        }
        if (!vectors.Values.All(float.IsFinite) || !betas.All(float.IsFinite))
            throw new InvalidOperationException($"Conditional training diverged (a non-finite parameter): lower Conditional.{nameof(o.LearningRate)} ({o.LearningRate}) or raise {nameof(o.Temperature)} ({o.Temperature}).");
        return new ConditionalModel(conditions, vectors, betas, stats.ToArray(), scale);
    }

    /// <summary>Writes the mean of user <paramref name="u"/>'s items in condition <paramref name="c"/> other than edge <paramref name="skip"/>'s (zero if none).</summary>
    internal static void LeaveOneOutMean(BipartiteGraph graph, int u, int skip, int c, ItemConditions conditions, EmbeddingMatrix items, Span<float> destination)
    {
        destination.Clear();
        var offsets = graph.Offsets;
        var edgeItems = graph.EdgeItems;
        int n = 0;
        for (int r = offsets[u]; r < offsets[u + 1]; r++)
        {
            if (r == skip || conditions.ConditionOf(edgeItems[r]) != c) continue;
            TensorPrimitives.Add(destination, items.ReadRow(edgeItems[r]), destination);
            n++;
        }
        if (n > 1) TensorPrimitives.Multiply(destination, 1f / n, destination);
    }

    /// <summary>Writes the negatives after the target row; returns how many.</summary>
    private static int DrawNegatives(BipartiteGraph graph, int u, int target, ReadOnlySpan<int> members, EmbeddingMatrix items, ConditionalOptions o,
        ref EmbeddingRandom random, float[] rows)
    {
        int d = items.Dimension, n = 0;
        // A condition holding the target alone has no hard negative: its share goes to global ones.
        int hard = members.Length > 1 ? o.HardNegatives : 0;
        int global = o.GlobalNegatives + (o.HardNegatives - hard);
        for (int k = 0; k < hard; k++)
        {
            int item = target;
            for (int attempt = 0; attempt <= Redraws && (item == target || graph.Contains(u, item)); attempt++) item = members[random.NextInt(members.Length)];
            if (item == target) continue;
            items.ReadRow(item).CopyTo(rows.AsSpan((1 + n++) * d, d));
        }
        for (int k = 0; k < global; k++)
        {
            int item = random.NextInt(graph.ItemCount);
            if (item == target) continue;
            items.ReadRow(item).CopyTo(rows.AsSpan((1 + n++) * d, d));
        }
        return n;
    }
}
