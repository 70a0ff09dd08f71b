namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>One evaluated configuration of a sweep.</summary>
public sealed class SweepTrial
{
    /// <summary>1-based trial number, in the order run.</summary>
    public int Number { get; init; }

    /// <summary>The value of every searched option, by name.</summary>
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    /// <summary>The complete settings of the trial.</summary>
    public required SweepSettings Settings { get; init; }

    /// <summary>
    /// The vectors the trial's embedding stage fitted, as <see cref="GraphEmbeddingResult.Settings"/> says them: under
    /// <see cref="EmbeddingAlgorithm.Auto"/> its choice and dimension (e.g. "implicit-als d=128 reg=0.005 ..."), which
    /// <see cref="Settings"/> (the options asked) cannot say. Empty for a trial made outside a sweep.
    /// </summary>
    public string Embedding { get; init; } = "";

    /// <summary>
    /// Whether this trial's settings read the searched parameter <paramref name="name"/>: a parameter its method or
    /// algorithm does not read (the neighbours at lambda 0, an MMR lambda under Unimodal) holds a value in
    /// <see cref="Parameters"/> that did not shape the trial, shown as "-" in the leaderboards and null in sweep.json.
    /// </summary>
    /// <param name="name">A search-space parameter name (<see cref="SweepSearchSpace.KnownParameters"/>), case-insensitive.</param>
    /// <returns>True if the trial's settings read the parameter.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is no known parameter.</exception>
    public bool Reads(string name) => SweepParameterCatalog.Applies(name, Settings);

    /// <summary>Whether this is the defaults trial (<see cref="SweepOptions.IncludeDefaults"/>).</summary>
    public bool IsDefaults { get; init; }

    /// <summary>Share of the validation users scored (below 1 only in successive halving's early rungs).</summary>
    public double Fidelity { get; init; } = 1;

    /// <summary>The number of validation users scored.</summary>
    public int Users { get; init; }

    /// <summary>Successive-halving rung (0 for the other strategies).</summary>
    public int Rung { get; init; }

    /// <summary>The optimised figure (see <see cref="SweepOptions.Metric"/>).</summary>
    public double Objective { get; init; }

    /// <summary>Validation Recall@K.</summary>
    public double Recall { get; init; }

    /// <summary>Validation NDCG@K.</summary>
    public double Ndcg { get; init; }

    /// <summary>Validation Diversity@K.</summary>
    public double Diversity { get; init; }

    /// <summary>Wall-clock seconds of the trial (stages fitted for it, retrieval, scoring).</summary>
    public double Seconds { get; init; }

    /// <summary>
    /// Seconds the trial would have taken had every stage been fitted for it: <see cref="Seconds"/> plus the recorded fit
    /// time of each reused stage output.
    /// </summary>
    public double RefitSeconds { get; init; }

    /// <summary>The stages whose fitted output came from the cache.</summary>
    public required IReadOnlyList<SweepStage> ReusedStages { get; init; }

    /// <summary>
    /// The objective against the best trial's, user by user over the same validation users (set at the end for every
    /// full-fidelity trial; null for the others): the mean per-user difference, this trial minus the best (0 for the best
    /// itself), and its standard error. A trial within about two standard errors of the best is not told apart from it by
    /// this hold-out.
    /// </summary>
    public PairedDifference? VersusBest { get; internal set; }

    /// <summary>
    /// Whether this full-fidelity trial is on the Recall@K / Diversity@K Pareto front: no other full-fidelity trial is at least
    /// as good on both and better on one (figures within 1e-9 count as equal, so trials with the same figures are on it
    /// together). Set at the end; false for lower-fidelity trials.
    /// </summary>
    public bool OnParetoFront { get; internal set; }
}
