using System.Diagnostics;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.MultiInterest;

public sealed partial class MultiInterestCatalog
{
    /// <summary>
    /// Sweeps the pipeline's options over <paramref name="space"/> on a validation hold-out carved from
    /// <paramref name="trainEdges"/> (never a test split), reusing fitted stages between trials, and refits the best
    /// configuration on all the edges as an ML.NET pipeline. Trials and stage fits are logged through
    /// <c>mlContext.Log</c> and reported to <paramref name="progress"/>. The hold-out itself, by raw ids, is
    /// <see cref="MultiInterestSweepResult.ValidationSplit"/>.
    /// </summary>
    /// <param name="trainEdges">Training edges: raw-id user and item columns (text, integers or keys); a row with an empty id (or a
    /// missing key) is refused naming the column and the row, as <c>LoadEdges</c> refuses it.</param>
    /// <param name="space">The options to vary and their values.</param>
    /// <param name="options">Strategy, metric, budget. When <see cref="SweepOptions.Seed"/> is null it is drawn from this
    /// context's random source, so an <c>MLContext(seed)</c> makes the sweep and every stage it seeds repeatable.</param>
    /// <param name="progress">Optional reports of stage fits and finished trials.</param>
    /// <param name="userColumnName">The user id column.</param>
    /// <param name="itemColumnName">The item id column.</param>
    /// <param name="weightColumnName">
    /// A numeric edge weight column (e.g. <see cref="MultiInterestColumnNames.Weight"/>, which <c>LoadEdges</c> writes), or null
    /// to train on unweighted edges: the trials' embeddings train on the weights as a <see cref="GraphEmbeddingTrainer"/> with
    /// <see cref="GraphEmbeddingTrainer.Options.WeightColumnName"/> does (repeated pairs add theirs), the validation hold-out
    /// keeps them, and the refitted pipeline's GraphEmbedding reads them. Validation figures count each held-out edge once, and
    /// the history-mmr trials build their interests from unweighted histories, as the refitted MMR stage does.
    /// </param>
    /// <param name="refitBest">Whether to refit the best configuration on all edges (<see cref="MultiInterestSweepResult.Model"/>).</param>
    /// <param name="cancellationToken">Stops the sweep promptly; the finished trials are kept and the best is still refitted.</param>
    /// <returns>The trials, the best, the validation split and, with <paramref name="refitBest"/> and a best trial, the refitted model.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before any trial finished
    /// (also before the call): there is no trial to return.</exception>
    public MultiInterestSweepResult Sweep(IDataView trainEdges, SweepSearchSpace space, SweepOptions? options = null, IProgress<SweepProgress>? progress = null,
        string userColumnName = MultiInterestColumnNames.User, string itemColumnName = MultiInterestColumnNames.Item, string? weightColumnName = null,
        bool refitBest = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainEdges);
        ArgumentNullException.ThrowIfNull(space);
        if (cancellationToken.IsCancellationRequested)
            throw new OperationCanceledException("The sweep was cancelled before it started: there is no trial to return.", cancellationToken);
        options ??= new SweepOptions();
        var effective = options.Clone();
        effective.Seed ??= StageReporter.SeedOf(Context, null, nameof(Sweep));

        bool weighted = weightColumnName != null;
        if (!weighted && trainEdges.Schema.GetColumnOrNull(MultiInterestColumnNames.Weight) != null)
            Logging.Warning(Context, nameof(Sweep), $"The edges have a '{MultiInterestColumnNames.Weight}' column, but weightColumnName is not set: the sweep trains "
                + $"on unweighted edges. Pass weightColumnName to train on the weights.");
        if (trainEdges.Schema.GetColumnOrNull(MultiInterestColumnNames.Relation) != null)
            Logging.Warning(Context, nameof(Sweep), $"The edges have a '{MultiInterestColumnNames.Relation}' column, which the sweep does not read: it trains "
                + $"on every edge as one relation (a pair in several relations once). Filter the edges to the relations to serve first, or train "
                + $"MixtureEmbedding with RelationColumnName through GraphEmbedding.");
        var edges = RawEdgeReader.Read(trainEdges, userColumnName, itemColumnName, weightColumnName);
        var (users, items) = (new IdMap(), new IdMap());
        var graph = GraphData.Build(edges, users, items, extendIds: true, "trainEdges", useWeights: weighted);
        if (!weighted) OptionWarnings.RepeatedPairs(Context, nameof(Sweep), edges.Count, graph.EdgeCount, nameof(weightColumnName));
        // After the build, which refuses weights that are not positive and finite.
        if (weighted && GraphData.WeightWarning(edges, weightColumnName!, nameof(weightColumnName)) is { } warning) Logging.Warning(Context, nameof(Sweep), nameof(weightColumnName), $"{warning}");
        // The base settings' dimension, where no trial replaces it or the algorithm that reads it, as GraphEmbedding warns of it.
        if (effective.BaseSettings?.Embedding is { } embedding && !space.Parameters.Any(p => p.Name is "dimension" or "algorithm"))
            OptionWarnings.DimensionAboveRank(Context, nameof(Sweep), embedding.Algorithm, embedding.Dimension, graph.UserCount, graph.ItemCount);
        // A parameter no trial reads (the dimension under Auto, the pool of a kNN-Embed sweep) adds no trial: said, not swept silently.
        var baseSettings = effective.BaseSettings ?? new SweepSettings();
        if (SweepParameterCatalog.UnreadParameters(space, baseSettings) is { Count: > 0 } unread)
            Logging.Warning(Context, nameof(Sweep), $"The search space varies {string.Join(", ", unread.Select(n => $"'{n}'"))}, which no trial reads (method "
                + $"{baseSettings.MethodName}, algorithm {SweepParameterCatalog.AlgorithmName(baseSettings.Embedding.Algorithm)}, unless the space varies them): "
                + $"{(unread.Count == 1 ? "its values make" : "their values make")} no distinct trials. Vary what the trials read, or set the method or algorithm that reads it.");
        var forward = new LoggingProgress(Context, progress);
        var outcome = SweepRunner.Run(graph, space, effective, forward, cancellationToken);
        // Cancelled with nothing finished: an empty result would read as a sweep that found nothing, not as one stopped.
        if (outcome.StopReason == SweepStopReason.Cancelled && outcome.Trials.Count == 0)
            throw new OperationCanceledException($"The sweep was cancelled after {outcome.Seconds:F1} s, before any trial finished: there is no trial to return.", cancellationToken);
        Logging.Info(Context, nameof(Sweep), $"sweep stopped ({outcome.StopReason}) after {outcome.Trials.Count} trial{(outcome.Trials.Count == 1 ? "" : "s")} in {outcome.Seconds:F1} s; " +
            $"stage reuse speed-up {outcome.Speedup:F2}x{(outcome.Best == null ? "" : "; best: " + SweepRunner.Describe(outcome.Best, effective))}");

        ITransformer? model = null;
        DataViewSchema? schema = null;
        double refitSeconds = 0;
        if (refitBest && outcome.Best != null)
        {
            var clock = Stopwatch.StartNew();
            // Said before it starts: the refit of every stage on all edges can take as long as the trials (minutes on cit-HepPh).
            forward.Report(new SweepProgress($"refitting the best configuration on all {graph.EdgeCount} edges...", outcome.Trials.Count, null, outcome.Best, TimeSpan.FromSeconds(outcome.Seconds)));
            // Unweighted, each pair once: the graph the trials fitted holds each once, and the refit's GraphEmbedding would
            // otherwise warn of the repeats again, by an option (WeightColumnName) this method does not have.
            var rows = SweepPipeline.Rows(Context, weighted ? edges : edges.DistinctBy(e => (e.User, e.Item)).ToList(), weighted);
            model = SweepPipeline.Create(Context, outcome.Best.Settings, effective.Cutoff, effective.Threads, weighted).Fit(rows);
            schema = rows.Schema;
            refitSeconds = clock.Elapsed.TotalSeconds;
            Logging.Info(Context, nameof(Sweep), $"best configuration refitted on all {graph.EdgeCount} edges in {refitSeconds:F1} s");
        }
        return new MultiInterestSweepResult(Context, outcome, model, schema, refitSeconds, SweepValidationSplit.Of(edges, users, items, outcome));
    }

    /// <summary>Forwards reports to the caller and to the context's log, on the sweep's thread.</summary>
    private sealed class LoggingProgress(MLContext context, IProgress<SweepProgress>? inner) : IProgress<SweepProgress>
    {
        public void Report(SweepProgress value)
        {
            Logging.Info(context, nameof(Sweep), $"{value.Message}");
            inner?.Report(value);
        }
    }
}
