namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// log q(j): the probability that a negative column of a chunk holds entity j, given how the columns are drawn
/// (in-batch: in proportion to degree, since edges are drawn uniformly; uniform; degree^β). Subtracting it from every
/// logit is the sampling-bias correction of sampled softmax (Yi et al., RecSys 2019; Bengio and Senécal): without it,
/// popular entities, which appear as negatives more often, are pushed down more than the full softmax would.
/// </summary>
internal static class SamplingLogProbabilities
{
    /// <summary>log q(j) for every entity of one side.</summary>
    /// <param name="degrees">Degree of each entity on this side.</param>
    /// <param name="o">The negative counts and the degree sampler's exponent.</param>
    public static float[] Compute(ReadOnlySpan<int> degrees, GraphEmbeddingOptions o)
    {
        int n = degrees.Length;
        double batch = o.BatchNegatives, uniform = o.UniformNegatives, degree = o.DegreeNegatives;
        double columns = batch + uniform + degree;
        double edges = 0, powered = 0;
        foreach (int d in degrees)
        {
            edges += d;
            powered += d > 0 ? Math.Pow(d, o.DegreeExponent) : 0;
        }
        var logQ = new float[n];
        for (int j = 0; j < n; j++)
        {
            int d = degrees[j];
            double q = uniform / n;
            if (edges > 0) q += batch * d / edges;
            if (powered > 0 && d > 0) q += degree * Math.Pow(d, o.DegreeExponent) / powered;
            // An entity no column can hold (no edge, no uniform draws) is never a negative; its value is never read.
            logQ[j] = q > 0 ? (float)Math.Log(q / columns) : 0f;
        }
        return logQ;
    }
}
