using Microsoft.Data.Analysis;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The result of <see cref="MultiInterestCatalog.Sweep"/>: every trial, the leaderboard as a DataFrame and an IDataView,
/// and the best configuration refitted on all training edges as an ML.NET model.
/// </summary>
public sealed class MultiInterestSweepResult
{
    private readonly MLContext _context;

    internal MultiInterestSweepResult(MLContext context, SweepOutcome outcome, ITransformer? model, DataViewSchema? inputSchema, double refitSeconds,
        SweepValidationSplit validationSplit)
    {
        ValidationSplit = validationSplit;
        _context = context;
        Outcome = outcome;
        Leaderboard = LeaderboardFrame.Create(outcome);
        Model = model;
        ModelInputSchema = inputSchema;
        RefitSeconds = refitSeconds;
    }

    /// <summary>The engine's result: trials, best, Pareto front, stage fits, speed-up, stop reason.</summary>
    public SweepOutcome Outcome { get; }

    /// <summary>
    /// The validation hold-out every trial was scored on, by raw ids: the training edges' rows the trials fitted on and
    /// those they were scored on, a partition of the rows (<see cref="SweepValidationSplit.Save"/> writes both as edge files).
    /// </summary>
    public SweepValidationSplit ValidationSplit { get; }

    /// <summary>The best full-fidelity trial on validation, or null if none finished.</summary>
    public SweepTrial? Best => Outcome.Best;

    /// <summary>The trials ranked (columns in <see cref="MultiInterestColumnNames.Leaderboard"/>, plus one text column per searched option).</summary>
    public DataFrame Leaderboard { get; }

    /// <summary>
    /// The first <paramref name="rows"/> of the leaderboard as aligned text for a console or a log: rank, trial (<c>*</c>
    /// the defaults), the validation users it was scored on, the searched values, the objective and its gap to the best's
    /// paired user by user with the standard error (<see cref="SweepTrial.VersusBest"/>), Recall, NDCG and Diversity at the cutoff to 4 decimals, and the
    /// Pareto front. (<see cref="Leaderboard"/> printed whole runs its full-precision figures together.)
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is below 1.</exception>
    /// <param name="rows">How many leaderboard rows to show, at least 1; fewer when fewer trials ran.</param>
    /// <returns>The aligned table as text, its lines ended by <see cref="Environment.NewLine"/>.</returns>
    public string LeaderboardText(int rows = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        return LeaderboardFrame.Text(Outcome, rows);
    }

    /// <summary>The leaderboard as an IDataView (the DataFrame itself; ML.NET reads it directly).</summary>
    public IDataView LeaderboardView => Leaderboard;

    /// <summary>The best configuration's pipeline (MapValueToKey on text User/Item, then the stages) fitted on all training edges; null if not refitted.</summary>
    public ITransformer? Model { get; }

    /// <summary>The schema <see cref="Model"/> was fitted on (text User and Item columns), for saving.</summary>
    public DataViewSchema? ModelInputSchema { get; }

    /// <summary>Seconds the refit on all training edges took.</summary>
    public double RefitSeconds { get; }

    /// <summary>
    /// The vectors of <see cref="Model"/>'s GraphEmbedding stage as <see cref="GraphEmbeddingResult.Settings"/> says them (e.g.
    /// "implicit-als d=128 iterations=10 reg=0.005 ..."), in the form of <see cref="SweepTrial.Embedding"/>: under
    /// <see cref="EmbeddingAlgorithm.Auto"/> what it chose on all the training edges, which may differ from the trials' choice
    /// on the hold-out's training part; null without a refit.
    /// </summary>
    public string? RefitEmbedding => Model is IEnumerable<ITransformer> chain ? chain.OfType<GraphEmbeddingTransformer>().FirstOrDefault()?.FitSettings : null;

    /// <summary>Saves <see cref="Model"/> with <c>mlContext.Model.Save</c> (the CLI's <c>recommend</c> serves it).</summary>
    /// <exception cref="InvalidOperationException">There is no refitted model.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a directory.</exception>
    /// <param name="path">The zip file to write (created or overwritten; its directory is created if needed); not null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    public void SaveModel(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Model == null || ModelInputSchema == null)
            throw new InvalidOperationException("The sweep has no refitted model: " + (Outcome.Best != null ? "refitBest was false."
                : Outcome.Trials.Count == 0 ? "no trial finished."
                : $"no trial was scored on every validation user ({Outcome.Trials.Count} ran on a part of them, successive halving's lower rungs, before the sweep stopped: "
                    + $"{Outcome.StopReason}), so there is no best. Give the sweep more trials or time, or include the defaults."));
        if (Directory.Exists(path))
            throw new IOException($"'{path}' is a directory: SaveModel writes one zip file; give its path, such as '{Path.Combine(path, "model.zip")}'.");
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory != null) Directory.CreateDirectory(directory);
        // Opened for writing only (Model.Save(path) opens it read-write): on a pipe (/dev/stdout) a read-write handle made the
        // process a reader of its own output, so a reader that went away left the save blocked for ever, not failed.
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        _context.Model.Save(Model, ModelInputSchema, stream);
    }
}
