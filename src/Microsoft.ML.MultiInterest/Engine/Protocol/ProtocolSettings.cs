namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Settings of the three-method comparison of the evaluation protocol (Unimodal, Mixture, kNN-Embed).</summary>
public sealed class ProtocolSettings
{
    /// <summary>m: mixture components per user. Default 5 (the paper's).</summary>
    public int Components { get; set; } = 5;

    /// <summary>k: neighbours used for smoothing. Default 10 (the paper does not give it).</summary>
    public int Neighbors { get; set; } = 10;

    /// <summary>Jelinek-Mercer smoothing weight in [0, 1]. Default 0.8 (the paper's); 0 gives the Mixture row.</summary>
    public double Lambda { get; set; } = 0.8;

    /// <summary>Quota exponent. Default 1 (slots proportional to component weights).</summary>
    public double Alpha { get; set; } = 1.0;

    /// <summary>Cutoffs K; each is its own retrieval with M = K. Default 10, 20, 50.</summary>
    public int[] Cutoffs { get; set; } = [10, 20, 50];

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
