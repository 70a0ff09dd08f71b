namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>How <see cref="EmbeddingAlgorithm.ImplicitAls"/> solves each row's regularised least-squares system.</summary>
public enum ImplicitAlsSolver
{
    /// <summary>Exact: a Cholesky factorisation per row, O(d³/6) each. Best for small and moderate dimensions.</summary>
    Cholesky,

    /// <summary>
    /// A fixed number of conjugate-gradient steps per row, warm-started from the row's previous vector (as the
    /// <c>implicit</c> library does; each side's first solve starts from zero): O(d² + degree·d) per step, so much cheaper than Cholesky for large dimensions.
    /// </summary>
    ConjugateGradient,
}

/// <summary>
/// Settings of implicit alternating least squares (Hu, Koren and Volinsky 2008) with the regularisation of Rendle et
/// al. 2022 ("Revisiting the performance of iALS on item recommendation benchmarks"). It minimises
/// Σ_(u,i)∈edges w_ui (⟨x_u, y_i⟩ − 1)² + α0 Σ_(all u,i) ⟨x_u, y_i⟩² + λ Σ_u (|I_u| + α0|I|)^ν ‖x_u‖² + λ Σ_i (|U_i| + α0|U|)^ν ‖y_i‖²,
/// with w_ui the edge weight (1 when unweighted), α0 = <see cref="UnobservedWeight"/>, λ = <see cref="Regularization"/>
/// and ν = <see cref="RegularizationExponent"/>, by alternating exact solves of the user and the item rows.
/// </summary>
public sealed class ImplicitAlsOptions
{
    /// <summary>Alternations (one user and one item half-step each). Default <see cref="ImplicitAlsDefaults.Iterations"/>.</summary>
    public int Iterations { get; set; } = ImplicitAlsDefaults.Iterations;

    /// <summary>λ ≥ 0, the regularisation scale; each row's penalty is λ (degree + α0 × other side's count)^ν. Default <see cref="ImplicitAlsDefaults.Regularization"/>.</summary>
    public double Regularization { get; set; } = ImplicitAlsDefaults.Regularization;

    /// <summary>ν ≥ 0: 0 gives every row the same penalty λ, 1 scales it with the row's share of the loss (Rendle et al.). Default <see cref="ImplicitAlsDefaults.RegularizationExponent"/>.</summary>
    public double RegularizationExponent { get; set; } = ImplicitAlsDefaults.RegularizationExponent;

    /// <summary>α0 ≥ 0: the weight of the squared score of every (user, item) pair, pulling unobserved pairs towards 0. Default <see cref="ImplicitAlsDefaults.UnobservedWeight"/>.</summary>
    public double UnobservedWeight { get; set; } = ImplicitAlsDefaults.UnobservedWeight;

    /// <summary>
    /// σ* &gt; 0: the item coordinates the first user half-step solves against are drawn from N(0, (σ*/√d)²). Each side's
    /// first solve starts from zero, so rows with identical entries get identical vectors. Default <see cref="ImplicitAlsDefaults.InitScale"/>.
    /// </summary>
    public double InitScale { get; set; } = ImplicitAlsDefaults.InitScale;

    /// <summary>Row solver. Default <see cref="ImplicitAlsDefaults.Solver"/>.</summary>
    public ImplicitAlsSolver Solver { get; set; } = ImplicitAlsDefaults.Solver;

    /// <summary>Conjugate-gradient steps per row and half-step (ignored by Cholesky). Default <see cref="ImplicitAlsDefaults.CgSteps"/>.</summary>
    public int CgSteps { get; set; } = ImplicitAlsDefaults.CgSteps;

    /// <summary>
    /// Warm start: one row per item of the graph (d = the fit's dimension) that the item vectors start from instead of their
    /// random draw, such as yesterday's fitted item vectors matched to today's items (the ML.NET trainer's
    /// <c>GraphEmbeddingTrainer.Options.WarmStart</c> matches them by raw id). A zero row keeps the item's random draw (an item
    /// new since the start was fitted); the draws are made first either way, so they do not depend on the start. The users
    /// need no start: the first half-step solves every user from the item vectors. Null (the default): every item starts
    /// from its draw. Under <see cref="EmbeddingAlgorithm.Auto"/> only the final fit starts here, when Auto chose implicit ALS
    /// at the table's dimension: its trials (and a validated run's hold-out fit) start cold.
    /// </summary>
    public EmbeddingMatrix? InitialItems { get; set; }

    /// <summary>
    /// Alternations of a fit that starts from <see cref="InitialItems"/>, instead of <see cref="Iterations"/> (under Auto:
    /// instead of the count it chose from a cold start); 0 (the default) runs those. Yesterday's vectors are not a fixed
    /// point (ALS is stopped at the validation peak), so each further alternation moves today's lists away from
    /// yesterday's: on cit-HepPh, 3 kept the unchanged users' top-50 lists at a mean Jaccard of 0.86 against 0.76 for 9, at
    /// the same Recall@50 (docs/persistence.md, "Refitting on new data").
    /// </summary>
    public int WarmStartIterations { get; set; }

    /// <summary>The alternations this fit runs: <see cref="WarmStartIterations"/> when it starts from given items and that is set, else <see cref="Iterations"/>.</summary>
    internal int IterationsToRun => InitialItems != null && WarmStartIterations > 0 ? WarmStartIterations : Iterations;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Iterations < 1 || Iterations > 10_000) throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "Iterations must be within 1..10000.");
        if (WarmStartIterations < 0 || WarmStartIterations > 10_000)
            throw new ArgumentOutOfRangeException(nameof(WarmStartIterations), WarmStartIterations, "WarmStartIterations must be within 0..10000 (0: as without a start).");
        Check(Regularization, nameof(Regularization), 0, 1e6);
        Check(RegularizationExponent, nameof(RegularizationExponent), 0, 4);
        Check(UnobservedWeight, nameof(UnobservedWeight), 0, 1e6);
        // A zero start is a fixed point of the alternation (every solve returns 0), so the scale must be positive.
        if (!double.IsFinite(InitScale) || InitScale <= 0 || InitScale > 1e3)
            throw new ArgumentOutOfRangeException(nameof(InitScale), InitScale, "InitScale must be positive, finite and at most 1000.");
        if (!Enum.IsDefined(Solver)) throw new ArgumentOutOfRangeException(nameof(Solver), Solver, "Solver is not a known solver.");
        if (CgSteps < 1 || CgSteps > 1024) throw new ArgumentOutOfRangeException(nameof(CgSteps), CgSteps, "CgSteps must be within 1..1024.");
    }

    /// <summary>A copy (the <see cref="InitialItems"/> table is shared, not copied).</summary>
    /// <returns>A new shallow copy.</returns>
    public ImplicitAlsOptions Clone() => (ImplicitAlsOptions)MemberwiseClone();

    private static void Check(double value, string name, double min, double max)
    {
        if (!double.IsFinite(value) || value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and within {min}..{max}.");
    }
}

/// <summary>The defaults of <see cref="ImplicitAlsOptions"/>, in one place.</summary>
public static class ImplicitAlsDefaults
{
    /// <summary>Alternations: 16 (Rendle et al. train 16 or more; the objective has mostly settled by then).</summary>
    public const int Iterations = 16;

    /// <summary>
    /// λ: 0.01. Chosen with α0 on validation hold-outs (Recall@20, d = 128, ν = 1) for robustness rather than the best
    /// figure on any one graph: 0.01 with α0 = 0.003 gave 0.273 on ml-100k (best tried 0.303), 0.274 on lastfm-2k
    /// (best 0.289) and 0.504 on cit-HepPh (best 0.534), while settings better on the small catalogues collapse on the
    /// large one (λ = 0.02, α0 = 0.03: 0.133 on cit-HepPh). Tune λ and α0 per graph with a validation hold-out.
    /// </summary>
    public const double Regularization = 0.01;

    /// <summary>ν: 1, Rendle et al.'s frequency-scaled regularisation, which they found best on every benchmark.</summary>
    public const double RegularizationExponent = 1;

    /// <summary>
    /// α0: 0.003, at the low end of Rendle et al.'s range. With ν = 1 each row's penalty grows with α0 × the other
    /// side's count, so a large α0 over-regularises big catalogues (cit-HepPh, 28k items, wanted 0.001..0.003;
    /// ml-100k, 1.7k items, 0.03..0.1).
    /// </summary>
    public const double UnobservedWeight = 0.003;

    /// <summary>σ*: 0.1, Rendle et al.'s initial scale (coordinates N(0, (0.1/√d)²)).</summary>
    public const double InitScale = 0.1;

    /// <summary>
    /// Row solver: <see cref="ImplicitAlsSolver.Cholesky"/>, exact. At d = 128, <see cref="ImplicitAlsSolver.ConjugateGradient"/>
    /// with 3 steps matched its test Recall@20 within 0.001 on ml-100k, lastfm-2k and Gowalla in a fifth to a sixth of the time.
    /// </summary>
    public const ImplicitAlsSolver Solver = ImplicitAlsSolver.Cholesky;

    /// <summary>Conjugate-gradient steps per row: 3, as the <c>implicit</c> library.</summary>
    public const int CgSteps = 3;

    /// <summary>
    /// Conjugate-gradient steps of the implicit-ALS vectors <see cref="EmbeddingAlgorithm.Auto"/> keeps: at least 4 (its trials,
    /// which only rank settings, take <see cref="CgSteps"/>). Auto's ALS always solves by conjugate gradients, whatever <see cref="Solver"/> says.
    /// </summary>
    public const int AutoFinalCgSteps = 4;
}
