using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Chooses the history-interest MMR row's lambda for the graph at hand instead of carrying one graph's choice to another:
/// the protocol's validation hold-out is carved from the training edges (the test split is never read), the embeddings are
/// fitted again on the rest with the same settings, and every lambda of <see cref="HistoryMmrSelectionOptions.Lambdas"/> is
/// scored on the held-out edges against Unimodal on the same vectors. The rule, fixed in advance, is the bar raised to
/// the strongest baseline at Unimodal's recall: among lambdas keeping Unimodal's Recall@50 and reaching both Diversity@10 of
/// <see cref="HistoryMmrSelectionOptions.DiversityRatio"/> times Unimodal's and the Diversity@10 of Unimodal's list
/// re-ordered by MMR (<see cref="HistoryMmrSelectionOptions.ReorderLambda"/>), the best recall; failing that, the same
/// without the re-ordering baseline; failing that, the most diverse lambda keeping the recall; failing that, the best
/// recall. A candidate that changes the list's items keeps Unimodal's recall only when its lead, paired over the validation
/// users, is at least <see cref="HistoryMmrSelectionOptions.RecallLeadErrors"/> standard errors (a lead the hold-out cannot
/// tell from noise does not count). Recall differences under <see cref="HistoryMmrSelectionOptions.RecallTie"/> are ties,
/// broken by diversity, and diversity differences under <see cref="HistoryMmrSelectionOptions.DiversityTie"/> ties, broken
/// by recall.
/// Beside the lambdas, one more candidate (<see cref="HistoryMmrSelectionOptions.TryReordering"/>): the row's own top 50
/// re-ordered at the re-ordering baseline's lambda (<see cref="HistoryMmrRowSettings.Reorder"/>), the baseline's own
/// method applied to the row's ranking; and after it (with <see cref="HistoryMmrSelectionOptions.TryReordering"/> too)
/// Unimodal's own top 50 re-ordered with the interests at that lambda (<see cref="HistoryPoolSearch.Unimodal"/>), which
/// keeps Unimodal's items and recall. In the first two clauses the re-orderings are taken only when no lambda qualifies (a
/// lambda changes which items the list holds, a re-ordering only their order), the row's own list before Unimodal's (it
/// may hold more of the held-out items); in the last two all compete, an exact tie going to a lambda, then to the row's
/// own list.
/// Deterministic for a seed; the thread count changes nothing.
/// </summary>
public static class HistoryMmrLambdaSelection
{
    /// <summary>K of the recall the rule reads: 50.</summary>
    public const int RecallCutoff = ProtocolEvaluator.FrontierRecallCutoff;

    /// <summary>K of the diversity the rule reads: 10.</summary>
    public const int DiversityCutoff = ProtocolEvaluator.FrontierDiversityCutoff;

    /// <summary>The random stream of the validation-user sample (its own, apart from Auto's).</summary>
    private const long SampleStream = 0x5E1;

    /// <summary>Users need at least this many training edges to hand some to the hold-out (the protocol's rule).</summary>
    public const int MinimumUserEdges = ValidationSplit.MinimumUserEdges;

    /// <summary>
    /// Why <see cref="Choose(BipartiteGraph, GraphEmbeddingOptions, HistoryMmrRowSettings, HistoryMmrSelectionOptions?, CancellationToken)"/>
    /// would find no validation hold-out in <paramref name="train"/> with <paramref name="options"/>' fraction and seed (no user
    /// has <see cref="MinimumUserEdges"/> training edges, or every edge drawn was its item's last and went back to training),
    /// or null when it would find one. Callers that keep a default lambda then (the CLI) ask first.
    /// </summary>
    /// <param name="train">All training edges.</param>
    /// <param name="options">The selection's options (their <see cref="HistoryMmrSelectionOptions.ValidationFraction"/> and seed); null for the defaults.</param>
    /// <returns>The reason, or null.</returns>
    public static string? WhyNoHoldout(BipartiteGraph train, HistoryMmrSelectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options ??= new HistoryMmrSelectionOptions();
        options.Validate();
        return ValidationSplit.Create(train, options.ValidationFraction, options.Seed).Validation.EdgeCount == 0 ? NoHoldoutReason(train) : null;
    }

    /// <summary>Why a hold-out of <paramref name="train"/> came out empty.</summary>
    private static string NoHoldoutReason(BipartiteGraph train) =>
        ValidationSplit.WhyEmpty(train, $"no user of the {train.UserCount:N0} has {ValidationSplit.MinimumUserEdges} or more training edges");

    /// <summary>
    /// Chooses for vectors fitted on <paramref name="train"/>: on the hold-out <paramref name="fit"/> kept
    /// (<see cref="GraphEmbeddingOptions.KeepHoldout"/>: an Auto fit's own hold-out and chosen trial), else on a new hold-out
    /// fitted with the fit's concrete settings (<see cref="GraphEmbeddingResult.ChosenOptions"/>, else <paramref name="options"/>).
    /// </summary>
    /// <param name="train">All training edges.</param>
    /// <param name="fit">The fit of <paramref name="options"/> on <paramref name="train"/>.</param>
    /// <param name="options">The options <paramref name="fit"/> was trained with.</param>
    /// <param name="row">The row's other settings (interests, nu, pool).</param>
    /// <param name="selection">Lambdas, rule thresholds, users, seed; null for the defaults.</param>
    /// <param name="ct">Cancels a fit.</param>
    /// <returns>The chosen lambda, the rule that chose it and the figures of every candidate.</returns>
    public static HistoryMmrLambdaChoice Choose(BipartiteGraph train, GraphEmbeddingResult fit, GraphEmbeddingOptions options, HistoryMmrRowSettings row,
        HistoryMmrSelectionOptions? selection = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(options);
        return fit.Holdout is { } holdout ? Choose(holdout, row, selection) : Choose(train, fit.ChosenOptions ?? options, row, selection, ct);
    }

    /// <summary>Chooses on a kept hold-out (<see cref="GraphEmbeddingResult.Holdout"/>, <see cref="GraphEmbeddingTransformer.Holdout"/>).</summary>
    /// <param name="holdout">The hold-out and the vectors fitted without it.</param>
    /// <param name="row">The row's other settings (interests, nu, pool).</param>
    /// <param name="selection">Lambdas, rule thresholds, users, seed; null for the defaults.</param>
    /// <returns>The chosen lambda, the rule that chose it and the figures of every candidate.</returns>
    public static HistoryMmrLambdaChoice Choose(ValidationHoldout holdout, HistoryMmrRowSettings row, HistoryMmrSelectionOptions? selection = null)
    {
        // A GraphEmbedding's Holdout is null without KeepHoldout, and under Auto when it chose nothing (its fallback, whose
        // reason its Settings give): said, rather than .NET's bare "Value cannot be null".
        if (holdout == null)
            throw new ArgumentNullException(nameof(holdout), "There is no hold-out to choose on: a GraphEmbedding keeps one with KeepHoldout = true, under Auto only when "
                + "Auto chose on it (its Settings name a fallback otherwise). Choose on the training edges instead (the overload taking the graph and options), or keep the default lambda.");
        return Choose(holdout.Train, holdout.Validation, holdout.UserEmbeddings, holdout.ItemEmbeddings, row, selection);
    }

    /// <summary>Carves the hold-out from <paramref name="train"/>, fits <paramref name="embedding"/> on the rest and chooses.</summary>
    /// <param name="train">All training edges.</param>
    /// <param name="embedding">
    /// Concrete embedding settings (for an <see cref="EmbeddingAlgorithm.Auto"/> fit, its <see cref="GraphEmbeddingResult.ChosenOptions"/>):
    /// the hold-out's vectors are fitted with them, not chosen again, and from a cold start: an implicit-ALS warm start
    /// (<see cref="ImplicitAlsOptions.InitialItems"/>) is left out, as a validated run's hold-out fit leaves it out, since it
    /// was fitted on edges the hold-out now holds.
    /// </param>
    /// <param name="row">The row's other settings (interests, nu, pool); its fold-in objective should be that of <paramref name="embedding"/>.</param>
    /// <param name="options">Lambdas, rule thresholds, users, seed; null for the defaults.</param>
    /// <param name="ct">Cancels the fit.</param>
    /// <exception cref="ArgumentException">The embedding settings are <see cref="EmbeddingAlgorithm.Auto"/>, or no edge can be held out (<see cref="WhyNoHoldout"/>).</exception>
    /// <returns>The chosen lambda, the rule that chose it and the figures of every candidate.</returns>
    public static HistoryMmrLambdaChoice Choose(BipartiteGraph train, GraphEmbeddingOptions embedding, HistoryMmrRowSettings row,
        HistoryMmrSelectionOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(row);
        if (embedding.Algorithm == EmbeddingAlgorithm.Auto)
            throw new ArgumentException("The embedding settings must be concrete: pass an Auto fit's GraphEmbeddingResult.ChosenOptions, not Auto itself.", nameof(embedding));
        options = (options ?? new HistoryMmrSelectionOptions()).Clone();
        options.Validate();
        row.Validate();
        var clock = Stopwatch.StartNew();
        var split = ValidationSplit.Create(train, options.ValidationFraction, options.Seed);
        if (split.Validation.EdgeCount == 0)
        {
            string reason = NoHoldoutReason(train);
            throw new ArgumentException($"{char.ToUpperInvariant(reason[0])}{reason[1..]}: there is no validation hold-out to choose lambda on.", nameof(train));
        }
        // A warm start saw the held-out edges: started there, the hold-out's vectors would be scored on edges they were fitted on.
        var fit = GraphEmbeddingTrainerEngine.Fit(split.Train, AlsWarmStart.WithoutStart(embedding), null, ct);
        var choice = Choose(split.Train, split.Validation, fit.UserEmbeddings, fit.ItemEmbeddings, row, options);
        return choice with { Seconds = clock.Elapsed.TotalSeconds };
    }

    /// <summary>Chooses on a given hold-out and the vectors fitted without it.</summary>
    /// <param name="train">The training part (its items are excluded from the lists; its histories give the interests).</param>
    /// <param name="validation">The held-out edges, over the same user and item rows.</param>
    /// <param name="userEmbeddings">User vectors fitted on <paramref name="train"/>.</param>
    /// <param name="itemEmbeddings">Item vectors fitted on <paramref name="train"/>.</param>
    /// <param name="row">The row's other settings (interests, nu, pool).</param>
    /// <param name="options">Lambdas, rule thresholds, users, seed; null for the defaults.</param>
    /// <returns>The chosen lambda, the rule that chose it and the figures of every candidate.</returns>
    public static HistoryMmrLambdaChoice Choose(BipartiteGraph train, BipartiteGraph validation, EmbeddingMatrix userEmbeddings, EmbeddingMatrix itemEmbeddings,
        HistoryMmrRowSettings row, HistoryMmrSelectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(userEmbeddings);
        ArgumentNullException.ThrowIfNull(itemEmbeddings);
        ArgumentNullException.ThrowIfNull(row);
        options ??= new HistoryMmrSelectionOptions();
        options.Validate();
        row.Validate();
        if (validation.UserCount > train.UserCount || validation.ItemCount > train.ItemCount)
            throw new ArgumentException("The validation graph must use the training graph's user and item rows.", nameof(validation));
        if (userEmbeddings.Rows != train.UserCount || itemEmbeddings.Rows != train.ItemCount)
            throw new ArgumentException($"The vectors are {userEmbeddings.Rows} users x {itemEmbeddings.Rows} items for a graph of {train.UserCount} x {train.ItemCount}.");
        var clock = Stopwatch.StartNew();
        // The lists exclude the same items either way; only the interests read the weights.
        if (!options.HistoryWeights) train = train.WithoutWeights();
        int threads = options.Threads;
        var users = ValidationScorer.SampleUsers(validation, options.MaxUsers, options.Seed, SampleStream);
        if (users.Length == 0) throw new ArgumentException("The validation graph has no edge: there is nothing to choose lambda on.", nameof(validation));

        int[] pair = [DiversityCutoff, RecallCutoff];
        var search = new UnimodalRetriever(itemEmbeddings, skipZeroRows: false);
        var mmr = new MmrRetriever(itemEmbeddings);
        var unimodal = search.Retrieve(userEmbeddings, users, train, Math.Max(RecallCutoff, options.PoolSize), threads);
        // Diversity on MMR's unit items, shared rather than normalised again (0.13 GB at Gowalla's d = 768).
        var scorer = ProtocolScorer.OverUnitItems(validation, users, mmr.UnitItems, threads, activity: null, misses: null, missedUsers: 0);
        // Each candidate's figures with the per-user ones behind them, kept to pair the chosen one with Unimodal's (about 10^4
        // users x 6 doubles each).
        (double Recall, double Diversity, double SetDiversity, UserFigures PerUser) Score(RankedLists lists) =>
            scorer.ScoreListsPerUser(pair.ToDictionary(k => k, k => ProtocolEvaluator.Prefix(lists, k)), RecallCutoff, DiversityCutoff);
        var (unimodalRecall, unimodalDiversity, _, unimodalUsers) = Score(unimodal);
        // The protocol's re-ordering row: Unimodal's top 50 re-ordered, nothing added.
        var columns = new List<HistoryMmrCandidateUsers>();
        void Keep(string name, UserFigures figures) =>
            columns.Add(new HistoryMmrCandidateUsers(name, figures.At(figures.Recall, RecallCutoff), figures.At(figures.Diversity, DiversityCutoff),
                figures.At(figures.Diversity, RecallCutoff)));
        Keep(HistoryMmrSelectionUsers.Unimodal, unimodalUsers);
        double? reorderDiversity = null;
        if (options.ReorderLambda is { } reorderLambda)
        {
            var baseline = Score(mmr.Reorder(unimodal, RecallCutoff, reorderLambda, threads));
            reorderDiversity = baseline.Diversity;
            Keep(HistoryMmrSelectionUsers.Reorder, baseline.PerUser);
        }

        var poolOptions = row.Pool.Clone();
        if (poolOptions.Threads == 0) poolOptions.Threads = threads;
        var retriever = new HistoryInterestRetriever(itemEmbeddings, poolOptions, search, mmr, skipZeroRows: false);
        var interests = HistoryInterests.Build(train, itemEmbeddings, users, row.Interests, threads, userEmbeddings);
        var own = ProtocolEvaluator.OwnLists(poolOptions, unimodal);
        // The pool does not depend on lambda: searched once, re-ranked per lambda.
        var (pool, term) = retriever.Pool(userEmbeddings, interests, train, options.PoolSize, row.InterestWeight, threads, own);
        var lists = retriever.RerankMany(pool, term, RecallCutoff, options.Lambdas, options.PoolSize, threads);
        var points = new List<FrontierPoint>();
        var pointUsers = new List<UserFigures>();
        for (int t = 0; t < lists.Length; t++)
        {
            var (recall, diversity, setDiversity, figures) = Score(lists[t]);
            points.Add(new FrontierPoint(options.Lambdas[t], recall, diversity, setDiversity));
            pointUsers.Add(figures);
            Keep(HistoryMmrSelectionUsers.LambdaName(options.Lambdas[t]), figures);
        }
        FrontierPoint? reordered = null, unimodalReordered = null;
        UserFigures? reorderedUsers = null, unimodalReorderedUsers = null;
        if (options.TryReordering)
        {
            double lambda = options.ReorderLambda ?? MmrRetrieverDefaults.Lambda;
            double recall, diversity, setDiversity;
            UserFigures figures;
            // The row's own top 50 (the pool's first 50 by best score: the same items a pool of 50 would hold) re-ordered. A
            // row whose pool is Unimodal's serves a re-ordering as Unimodal's top 50 re-ordered, the candidate below, so its
            // own top 50 (of Unimodal's 100, by best score) is not a candidate: chosen, it would be credited with a list the
            // row does not serve.
            if (row.Pool.Search != HistoryPoolSearch.Unimodal)
            {
                (recall, diversity, setDiversity, figures) = Score(retriever.Rerank(pool, term, RecallCutoff, lambda, Math.Min(RecallCutoff, options.PoolSize), threads));
                (reordered, reorderedUsers) = (new FrontierPoint(lambda, recall, diversity, setDiversity), figures);
                Keep(HistoryMmrSelectionUsers.OwnReordered, reorderedUsers);
            }
            // Unimodal's own top 50 re-ordered with the interests: no interest search, the unimodal lists are the pool.
            var (ownPool, ownTerm) = retriever.Pool(userEmbeddings, interests, train, RecallCutoff, row.InterestWeight, threads, unimodal, HistoryPoolSearch.Unimodal);
            (recall, diversity, setDiversity, figures) = Score(retriever.Rerank(ownPool, ownTerm, RecallCutoff, lambda, RecallCutoff, threads));
            (unimodalReordered, unimodalReorderedUsers) = (new FrontierPoint(lambda, recall, diversity, setDiversity), figures);
            Keep(HistoryMmrSelectionUsers.UnimodalReordered, unimodalReorderedUsers);
        }
        // Each candidate's Recall@50 lead over Unimodal, paired user by user: what the rule's recall test reads.
        var leads = new Dictionary<string, PairedDifference>();
        for (int t = 0; t < points.Count; t++) leads[HistoryMmrSelectionUsers.LambdaName(points[t].Value)] = pointUsers[t].Against(unimodalUsers).Recall[RecallCutoff];
        if (reorderedUsers != null) leads[HistoryMmrSelectionUsers.OwnReordered] = reorderedUsers.Against(unimodalUsers).Recall[RecallCutoff];
        if (unimodalReorderedUsers != null) leads[HistoryMmrSelectionUsers.UnimodalReordered] = unimodalReorderedUsers.Against(unimodalUsers).Recall[RecallCutoff];
        var pick = Pick(points, unimodalRecall, unimodalDiversity, options.DiversityRatio, options.RecallTie, reorderDiversity, reordered, unimodalReordered,
            options.DiversityTie, options.RecallLeadErrors, (kind, value) => leads[HistoryMmrSelectionUsers.NameOf(kind, value)]);
        // The lambdas are strictly ascending, so a point (which holds its lambda) is found at its own index.
        var chosenUsers = pick.Kind switch
        {
            HistoryMmrCandidate.OwnReordered => reorderedUsers!,
            HistoryMmrCandidate.UnimodalReordered => unimodalReorderedUsers!,
            _ => pointUsers[points.IndexOf(pick.Point)],
        };
        var chosenDiversity = chosenUsers.Against(unimodalUsers).Diversity[DiversityCutoff];
        return new HistoryMmrLambdaChoice(pick.Point.Value, pick.Rule, points, unimodalRecall, unimodalDiversity, users.Length, clock.Elapsed.TotalSeconds,
            reorderDiversity, pick.Reorder, reordered, options.PoolSize, pick.UnimodalPool, unimodalReordered)
        {
            RecallLead = leads[HistoryMmrSelectionUsers.NameOf(pick.Kind, pick.Point.Value)],
            DiversityLead = chosenDiversity,
            PerUser = new HistoryMmrSelectionUsers(users, columns),
            RecallLeadErrors = options.RecallLeadErrors,
            RecallLeads = leads,
        };
    }

    /// <summary>
    /// The rule (see the class summary) applied to measured points and, when given, the re-ordering candidates
    /// <paramref name="reordered"/> (the row's own list) and <paramref name="unimodalReordered"/> (Unimodal's);
    /// <c>Reorder</c> says whether either was chosen, <c>UnimodalPool</c> whether it was Unimodal's.
    /// </summary>
    /// <remarks>
    /// With <paramref name="recallLeadErrors"/> above 0 and <paramref name="leads"/> given (each candidate's paired Recall@50
    /// lead over Unimodal, by kind and lambda), a candidate keeps Unimodal's recall only when its lead is at least that many
    /// standard errors; otherwise (or when the lead has no finite error, one user) when its mean is at least Unimodal's.
    /// </remarks>
    internal static HistoryMmrPick Pick(IReadOnlyList<FrontierPoint> points, double unimodalRecall, double unimodalDiversity, double diversityRatio,
        double recallTie, double? reorderDiversity = null, FrontierPoint? reordered = null, FrontierPoint? unimodalReordered = null,
        double diversityTie = HistoryInterestDefaults.SelectionDiversityTie, double recallLeadErrors = 0,
        Func<HistoryMmrCandidate, double, PairedDifference>? leads = null)
    {
        if (points.Count == 0) throw new ArgumentException("There are no points to choose from.", nameof(points));
        // A lead with no error (a single user) is read by its mean, as without the test.
        bool Keeps(FrontierPoint p, HistoryMmrCandidate kind) => recallLeadErrors > 0 && leads?.Invoke(kind, p.Value) is { StandardError: var error } lead
            && double.IsFinite(error)
            ? lead.Difference >= recallLeadErrors * error
            : p.Recall >= unimodalRecall;
        bool Meets(FrontierPoint p, HistoryMmrCandidate kind) => Keeps(p, kind) && p.Diversity >= diversityRatio * unimodalDiversity;
        bool Beats(FrontierPoint p, HistoryMmrCandidate kind) => Meets(p, kind) && p.Diversity >= reorderDiversity!.Value;
        // The re-orderings in the rule's order: the row's own list, then Unimodal's.
        var reorderings = new List<(FrontierPoint Point, HistoryMmrCandidate Kind)>();
        if (reordered is { } own) reorderings.Add((own, HistoryMmrCandidate.OwnReordered));
        if (unimodalReordered is { } unimodal) reorderings.Add((unimodal, HistoryMmrCandidate.UnimodalReordered));
        // The first two clauses prefer the wider pool's lambdas: they change which items the list holds (its Diversity@50),
        // which a re-ordering cannot; a re-ordering is taken in a clause only when no lambda qualifies there.
        HistoryMmrPick? Clause(Func<FrontierPoint, HistoryMmrCandidate, bool> qualifies, HistoryMmrSelectionRule rule)
        {
            var lambdas = points.Where(p => qualifies(p, HistoryMmrCandidate.Lambda)).ToList();
            if (lambdas.Count > 0) return new(BestRecall(lambdas, recallTie, diversityTie), rule, HistoryMmrCandidate.Lambda);
            foreach (var (point, kind) in reorderings)
                if (qualifies(point, kind)) return new(point, rule, kind);
            return null;
        }
        if (reorderDiversity != null && Clause(Beats, HistoryMmrSelectionRule.BeatsReordering) is { } beats) return beats;
        if (Clause(Meets, HistoryMmrSelectionRule.MeetsBar) is { } meets) return meets;
        // Short of the bar, every candidate competes alike; the re-orderings come last, so an exact tie goes to a lambda.
        var all = points.Select(p => (Point: p, Kind: HistoryMmrCandidate.Lambda)).Concat(reorderings).ToList();
        var keeps = all.Where(c => Keeps(c.Point, c.Kind)).ToList();
        var (point, kind) = keeps.Count > 0 ? MostDiverse(keeps, diversityTie) : BestRecall(all, recallTie, diversityTie);
        return new(point, keeps.Count > 0 ? HistoryMmrSelectionRule.KeepsRecall : HistoryMmrSelectionRule.BestRecall, kind);
    }

    /// <summary>The best recall, points within <paramref name="recallTie"/> of it counting as equal and the most diverse of them winning.</summary>
    private static FrontierPoint BestRecall(IReadOnlyList<FrontierPoint> points, double recallTie, double diversityTie) =>
        BestRecall(points.Select(p => (p, HistoryMmrCandidate.Lambda)).ToList(), recallTie, diversityTie).Point;

    /// <summary>The best recall, points within <paramref name="recallTie"/> of it counting as equal and the most diverse of them winning.</summary>
    private static (FrontierPoint Point, HistoryMmrCandidate Kind) BestRecall(IReadOnlyList<(FrontierPoint Point, HistoryMmrCandidate Kind)> candidates,
        double recallTie, double diversityTie)
    {
        double best = candidates.Max(c => c.Point.Recall);
        return MostDiverse(candidates.Where(c => c.Point.Recall >= best - recallTie).ToList(), diversityTie);
    }

    /// <summary>
    /// The most diverse point, points within <paramref name="diversityTie"/> of it counting as equal and the best recall of
    /// them winning; equal recall to the larger diversity, then to the earlier (smaller lambda, then the re-orderings).
    /// </summary>
    private static (FrontierPoint Point, HistoryMmrCandidate Kind) MostDiverse(List<(FrontierPoint Point, HistoryMmrCandidate Kind)> candidates, double diversityTie)
    {
        double most = candidates.Max(c => c.Point.Diversity);
        var tied = candidates.Where(c => c.Point.Diversity >= most - diversityTie).ToList();
        var best = tied[0];
        foreach (var c in tied.Skip(1))
            if (c.Point.Recall > best.Point.Recall || (c.Point.Recall == best.Point.Recall && c.Point.Diversity > best.Point.Diversity)) best = c;
        return best;
    }
}
