namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Post-hoc mixture weights (training learns none; methods.md, section 1): <c>w_{s,c} ∝ Σ_{(s,d) ∈ edges} Σ_l e^{M[c,l]/γ_T}</c>,
/// normalised over c, so a component weighs as much as the share of the user's items it is close to. Users without
/// edges get uniform weights. The exponent is shifted by 1/γ_T (cosines are at most 1), which cancels in the normalisation;
/// a user whose terms all underflow that way is shifted by its own largest cosine instead.
/// </summary>
internal static class MixtureWeights
{
    /// <summary>Which of <paramref name="relationCount"/> relations <paramref name="relations"/> names (null: all, returned as null); ids must be in range.</summary>
    public static bool[]? Filter(int relationCount, IEnumerable<int>? relations)
    {
        if (relations == null) return null;
        var counted = new bool[relationCount];
        foreach (int r in relations) counted[r] = true;
        return counted;
    }

    /// <summary>The weights of every user's components, row-major users × C_s.</summary>
    /// <param name="graph">The edges weights are summed over.</param>
    /// <param name="users">Unit user components, rows u × C_s + c.</param>
    /// <param name="items">Unit item components, rows i × C_d + l.</param>
    /// <param name="cs">C_s.</param>
    /// <param name="cd">C_d.</param>
    /// <param name="gamma">γ_T &gt; 0.</param>
    /// <param name="threads">Degree of parallelism; the result does not depend on it.</param>
    /// <param name="relations">Per relation, whether its edges count (null: all edges); users without a counted edge get uniform weights.</param>
    public static double[] Compute(BipartiteGraph graph, EmbeddingMatrix users, EmbeddingMatrix items, int cs, int cd, float gamma, int threads,
        bool[]? relations = null)
    {
        var weights = new double[graph.UserCount * cs];
        double inverseGamma = 1.0 / gamma;
        Parallel.For(0, graph.UserCount, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, u =>
        {
            var w = weights.AsSpan(u * cs, cs);
            var (total, largest) = Accumulate(graph, users, items, cs, cd, inverseGamma, relations, u, 1.0, w);
            // A small gamma underflows every term of a user whose cosines are all well below 1: shift by the user's own
            // largest cosine instead (the usual log-sum-exp shift), so that its largest term is 1.
            if (!(total >= Underflow.PlainSumFloor) && double.IsFinite(total) && double.IsFinite(largest))
                (total, _) = Accumulate(graph, users, items, cs, cd, inverseGamma, relations, u, largest, w);
            if (total > 0 && double.IsFinite(total)) for (int c = 0; c < cs; c++) w[c] /= total;
            else w.Fill(1.0 / cs);
        });
        return weights;
    }

    /// <summary>
    /// Writes <c>Σ_e Σ_l e^{(M[c,l] - shift)/γ_T}</c> into <paramref name="w"/>; returns its sum over c and the largest
    /// <c>M[c,l]</c> met (negative infinity without a counted edge).
    /// </summary>
    private static (double Total, double Largest) Accumulate(BipartiteGraph graph, EmbeddingMatrix users, EmbeddingMatrix items, int cs, int cd, double inverseGamma,
        bool[]? relations, int u, double shift, Span<double> w)
    {
        w.Clear();
        double largest = double.NegativeInfinity;
        var edgeItems = graph.EdgeItems;
        var edgeRelations = graph.EdgeRelations;
        for (int e = graph.Offsets[u], end = graph.Offsets[u + 1]; e < end; e++)
        {
            if (relations != null && !relations[edgeRelations.IsEmpty ? 0 : edgeRelations[e]]) continue;
            int i = edgeItems[e];
            for (int c = 0; c < cs; c++)
            {
                var component = users.ReadRow(u * cs + c);
                for (int l = 0; l < cd; l++)
                {
                    double cosine = VectorMath.Dot(component, items.ReadRow(i * cd + l));
                    largest = Math.Max(largest, cosine);
                    w[c] += Math.Exp((cosine - shift) * inverseGamma);
                }
            }
        }
        double total = 0;
        foreach (double x in w) total += x;
        return (total, largest);
    }
}
