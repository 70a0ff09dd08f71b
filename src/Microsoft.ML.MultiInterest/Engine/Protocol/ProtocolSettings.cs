namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Settings of the three-method comparison of the evaluation protocol (Unimodal, Mixture, kNN-Embed).</summary>
public sealed class ProtocolSettings
{
    /// <summary>m: mixture components per user. Default <see cref="KnnSmoothedMixtureDefaults.Components"/>.</summary>
    public int Components { get; set; } = KnnSmoothedMixtureDefaults.Components;

    /// <summary>k: neighbours used for smoothing. Default <see cref="KnnSmoothedMixtureDefaults.Neighbors"/>.</summary>
    public int Neighbors { get; set; } = KnnSmoothedMixtureDefaults.Neighbors;

    /// <summary>Jelinek-Mercer smoothing weight in [0, 1]. Default <see cref="KnnSmoothedMixtureDefaults.Lambda"/>; 0 gives the Mixture row.</summary>
    public double Lambda { get; set; } = KnnSmoothedMixtureDefaults.Lambda;

    /// <summary>Quota exponent. Default <see cref="ClusterQuotaRetrieverDefaults.Alpha"/> (slots proportional to component weights).</summary>
    public double Alpha { get; set; } = ClusterQuotaRetrieverDefaults.Alpha;

    /// <summary>Cutoffs K; each is its own retrieval with M = K. Default <see cref="EvaluationDefaults.Cutoffs"/>.</summary>
    public int[] Cutoffs { get; set; } = EvaluationDefaults.Cutoffs;

    /// <summary>Degree of parallelism; 0 = all cores. The figures do not depend on it.</summary>
    public int Threads { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Components < 1) throw new ArgumentOutOfRangeException(nameof(Components), Components, "Components (m) must be at least 1.");
        if (Neighbors < 1) throw new ArgumentOutOfRangeException(nameof(Neighbors), Neighbors, "Neighbors (k) must be at least 1.");
        if (double.IsNaN(Lambda) || Lambda < 0 || Lambda > 1) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "Lambda must lie in [0, 1].");
        if (!double.IsFinite(Alpha) || Alpha < 0) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be finite and non-negative.");
        if (Cutoffs == null || Cutoffs.Length == 0 || Cutoffs.Any(c => c < 1))
            throw new ArgumentOutOfRangeException(nameof(Cutoffs), "Cutoffs must be a non-empty list of positive list lengths.");
        if (Threads < 0) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be 0 (all cores) or positive.");
    }
}
