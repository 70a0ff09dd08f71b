using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

public sealed partial class MultiInterestCatalog
{
    /// <summary>
    /// Evaluates candidate lists against held-out edges: mean Recall@K, NDCG@K and Diversity@K over the test users (users
    /// with at least one held-out edge), and the goodness of fit (EMD) of the users' representations when present.
    /// </summary>
    /// <remarks>
    /// <para>
    /// <paramref name="scored"/> has rows with the User key and the Candidates vector of item keys (best first, key 0
    /// as padding), as <see cref="CandidateRetrievalTransformer"/> appends; a user's first row is used, so the
    /// held-out edges transformed by the fitted pipeline can be passed as both <paramref name="scored"/> and
    /// <paramref name="heldOut"/>. The EMD reads the user's representation from the same first row (see
    /// <see cref="MultiInterestEvaluatorOptions.Representation"/>). A later row of the user that holds another list,
    /// source or representation is refused (the library's stages mark their columns as one value per user, and such
    /// columns' later rows are not read). A retriever's list over a view with a History column follows each row's history
    /// too, so it is compared: evaluate a view with one row per user, or without that column.
    /// </para>
    /// <para>
    /// Recall@K, NDCG@K and Diversity@K are computed on the first K candidates of that one list, so every cutoff must be at
    /// most the list length M. For the unimodal ranking this equals retrieving K. For quota retrieval it does not:
    /// the protocol retrieves each K separately with M = K (the quotas change with M). Use
    /// <see cref="EvaluateRetriever"/> for the protocol's figures.
    /// </para>
    /// <para>
    /// All key columns must come from the same fitted MapValueToKey transformers: the views' User keys, and the
    /// held-out Item keys, the Candidates keys and the item embeddings' Item keys, must have the same cardinality
    /// and (when the columns carry them) the same key values.
    /// </para>
    /// </remarks>
    /// <param name="scored">Rows with the User key, the Candidates and optionally the representation columns.</param>
    /// <param name="heldOut">
    /// The held-out edges: User and Item keys. A missing key (0: a value unseen when the key mapping was fitted, as after
    /// <c>TrainTestSplit</c>), a user whose scored list is the popular fallback (<see cref="CandidateSource.Popular"/> in
    /// <paramref name="scored"/>'s <see cref="MultiInterestEvaluatorOptions.CandidateSourceColumnName"/> column: a key
    /// with no training edge, as when the key mapping was fitted on held-out rows too) or an item without an embedding is an unseen user or item, scored as
    /// <see cref="MultiInterestEvaluatorOptions.Unseen"/> says (by default a miss), as <see cref="EvaluateRetriever"/> and
    /// the command line score them.
    /// </param>
    /// <param name="itemEmbeddings">
    /// Rows with the Item key and the ItemEmbedding vector (first row of each key is used; later rows must repeat it), covering every candidate
    /// and, for the EMD, every held-out item; for example the training edges transformed by the fitted pipeline.
    /// </param>
    /// <param name="options">Column names, cutoffs and representation; null for the defaults.</param>
    /// <returns>The metrics averaged over the test users.</returns>
    /// <exception cref="ArgumentException">
    /// A column is missing or mistyped, key types differ between views, a cutoff exceeds the list length, a test user
    /// has no scored row or two different ones, or an item has no embedding or two; the message names the column, option, user or item.
    /// </exception>
    public MultiInterestMetrics Evaluate(IDataView scored, IDataView heldOut, IDataView itemEmbeddings, MultiInterestEvaluatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scored);
        ArgumentNullException.ThrowIfNull(heldOut);
        ArgumentNullException.ThrowIfNull(itemEmbeddings);
        var o = options ?? new MultiInterestEvaluatorOptions();
        var cutoffs = o.Validate();
        var all = HeldOutEdges.Read(heldOut, o);
        var items = ReadItems(itemEmbeddings, nameof(itemEmbeddings), "the item embeddings", o, all);
        // A user served the popular fallback has no training edge (its key came from held-out rows): unseen, as on the
        // other paths, not a user with a list and a zero vector.
        var popular = CandidateListReader.PopularUsers(scored, o, all.UserCount);
        // Lists under another name than a retriever's default usually come with their source under another name too (several
        // retrievers in one chain, or lists put back from a ranker): without it every user reads as trained.
        if (popular == null && o.CandidatesColumnName != MultiInterestColumnNames.Candidates)
            Logging.Warning(Context, nameof(Evaluate), $"The scored data has no column '{o.CandidateSourceColumnName}' (option {nameof(o.CandidateSourceColumnName)}) "
                + $"beside its candidates column '{o.CandidatesColumnName}': every user is read as trained, so a user served the popular fallback (a key without "
                + $"training edges) is scored as if its list were its own. Name the retriever's source column (its CandidateSourceColumnName) in the options.");
        var edges = all.Restrict(u => popular?[u] != true, items.Has, o);
        var lists = CandidateListReader.Read(scored, o, edges, out int length);
        if (cutoffs[^1] > length)
            throw new ArgumentException($"Cutoff {cutoffs[^1]} (option {nameof(o.Cutoffs)}) exceeds the length {length} of column '{o.CandidatesColumnName}': "
                + $"retrieve at least as many candidates, or use {nameof(EvaluateRetriever)} to retrieve each cutoff separately.", nameof(options));
        var representations = RepresentationReader.Read(scored, nameof(scored), "the scored data", o, edges, items.Dimension);
        var metrics = EvaluationScorer.Score(cutoffs, cutoffs.Select(_ => lists).ToArray(), edges, items, representations, o.Threads, retrievalPerCutoff: false, o.Unseen);
        Logging.Info(Context, nameof(Evaluate), $"Evaluated {metrics.UserCount} test users at K = {string.Join(", ", cutoffs)}.");
        // The item view need only cover the items (it may hold every edge, held-out ones included), so an overlap with it is no
        // fault by itself: only a recall of 0 everywhere is warned of, with the overlap when the view has the users to count it.
        if (metrics.UserCount > 0 && metrics.RecallAtK.Values.All(r => r == 0))
        {
            // Counted only when the item view's users are keyed as the held-out edges' (same cardinality and ids).
            bool hasUsers = itemEmbeddings.Schema.GetColumnOrNull(o.UserColumnName) is { Type: KeyDataViewType } users
                && KeyTypeMatch.Mismatch(new(users, "the item view's users"), new(edges.UserColumn, "the held-out users")) == null;
            long? overlapping = hasUsers ? CountHeldOutIn(itemEmbeddings, o, edges) : null;
            string also = overlapping > 0 ? string.Create(CultureInfo.InvariantCulture, $", and {overlapping} of the {HeldOutCount(edges)} held-out edges are also edges of the item embeddings view") : "";
            Logging.Warning(Context, nameof(Evaluate), $"Recall is 0 at every cutoff for all {RecallUsers(metrics)}: no held-out item is in any list{also}"
                + $". If the held-out edges are (or include) the training edges: {TrainingEdgesFix}");
        }
        return metrics;
    }

    /// <summary>
    /// Evaluates a retriever as the protocol does: for every cutoff K, fits the retriever made by
    /// <paramref name="retrieverForCutoff"/>(K) on <paramref name="fitData"/> (it must retrieve M = K candidates) and
    /// scores its lists against the held-out edges. Item embeddings and user representations are read from
    /// <paramref name="fitData"/>.
    /// </summary>
    /// <param name="fitData">
    /// The training edges with every column the retriever needs (for quota retrieval: the output of the fitted
    /// GraphEmbedding, SphericalKMeans and KnnSmoothedMixture stages), including Item and ItemEmbedding.
    /// </param>
    /// <param name="heldOut">
    /// The held-out edges: User and Item keys from the same key mapping. Users without a row in <paramref name="fitData"/>,
    /// items without an embedding there and missing keys (0) are unseen, scored as <see cref="MultiInterestEvaluatorOptions.Unseen"/>
    /// says (by default a miss).
    /// </param>
    /// <param name="retrieverForCutoff">Makes the retriever estimator for M = K, e.g. <c>k =&gt; mi.ClusterQuotaRetriever(candidates: k)</c>.</param>
    /// <param name="options">Column names, cutoffs and representation; null for the defaults.</param>
    /// <returns>The metrics averaged over the test users, one retrieval per cutoff.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Evaluate"/>, or a retriever does not retrieve K candidates.</exception>
    public MultiInterestMetrics EvaluateRetriever(IDataView fitData, IDataView heldOut, Func<int, IEstimator<CandidateRetrievalTransformer>> retrieverForCutoff,
        MultiInterestEvaluatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fitData);
        ArgumentNullException.ThrowIfNull(heldOut);
        ArgumentNullException.ThrowIfNull(retrieverForCutoff);
        var o = options ?? new MultiInterestEvaluatorOptions();
        var cutoffs = o.Validate();
        var all = HeldOutEdges.Read(heldOut, o);
        var fitUser = ColumnChecks.Key(fitData.Schema, o.UserColumnName, nameof(o.UserColumnName), out _);
        KeyTypeMatch.Same(new(fitUser, $"Column '{o.UserColumnName}' of the fit data"), new(all.UserColumn, $"column '{o.UserColumnName}' of the held-out edges"));
        var items = ReadItems(fitData, nameof(fitData), "the fit data", o, all);
        var seenUsers = SeenKeys(fitData, fitUser, all.UserCount);
        var edges = all.Restrict(u => seenUsers[u], items.Has, o);
        var representations = RepresentationReader.Read(fitData, nameof(fitData), "the fit data", o, edges, items.Dimension);
        var lists = new int[cutoffs.Length][][];
        for (int c = 0; c < cutoffs.Length; c++)
        {
            int k = cutoffs[c];
            var estimator = retrieverForCutoff(k) ?? throw new ArgumentException($"{nameof(retrieverForCutoff)} returned null for K = {k}.", nameof(retrieverForCutoff));
            var model = estimator.Fit(fitData);
            if (model.Candidates != k)
                throw new ArgumentException($"{nameof(retrieverForCutoff)}({k}) made a retriever of {model.Candidates} candidates: it must retrieve M = K = {k}.", nameof(retrieverForCutoff));
            ColumnChecks.SameCardinality(o.UserColumnName, nameof(o.UserColumnName), model.UserCount, edges.UserCount);
            ColumnChecks.SameCardinality(o.ItemColumnName, nameof(o.ItemColumnName), model.ItemCount, edges.ItemCount);
            lists[c] = new int[edges.Users.Length][];
            for (int q = 0; q < edges.Users.Length; q++)
            {
                var keys = model.GetCandidates((uint)edges.Users[q] + 1).ItemKeys;
                if (model.GetCandidateSource((uint)edges.Users[q] + 1) != CandidateSource.Trained)
                    throw new ArgumentException($"Test user {edges.DescribeUser(q)} has held-out edges but no candidates: it has no training edge in the fit data.", nameof(heldOut));
                lists[c][q] = keys.Select(key => (int)key - 1).ToArray();
            }
        }
        var (degrees, overlapping) = ReadFitEdges(fitData, o, edges);
        var metrics = EvaluationScorer.Score(cutoffs, lists, edges, items, representations, o.Threads, retrievalPerCutoff: true, o.Unseen, degrees);
        Logging.Info(Context, nameof(EvaluateRetriever), $"Evaluated {metrics.UserCount} test users, one retrieval per K = {string.Join(", ", cutoffs)}.");
        // The fit data is the training data: a held-out edge found there is one the retrievers never list.
        if (overlapping > 0)
            Logging.Warning(Context, nameof(EvaluateRetriever), $"{overlapping} of the {HeldOutCount(edges)} held-out edges are also edges of the fit data. {TrainingEdgesFix}");
        return metrics;
    }

    /// <summary>Which key rows (key - 1) of <paramref name="column"/> occur in <paramref name="view"/>.</summary>
    private static bool[] SeenKeys(IDataView view, DataViewSchema.Column column, int count)
    {
        var seen = new bool[count];
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<uint>(column);
        uint key = 0;
        while (cursor.MoveNext())
        {
            getter(ref key);
            if (key != 0 && key <= count) seen[key - 1] = true;
        }
        return seen;
    }

    /// <summary>What the warnings about held-out edges that are training edges say to do.</summary>
    private const string TrainingEdgesFix = "A retriever that excludes a user's training items (ExcludeSeen, the default) never lists them, so each is a certain miss: "
        + "evaluate on edges held out of training (mlContext.Data.TrainTestSplit on the edges before the pipeline is fitted, or `multiinterest split`).";

    /// <summary>
    /// The users Recall@K averages over, as the metrics' summary counts them: with unseen users or items scored as misses,
    /// the users with a list and the missed ones, said apart, since an unseen user's zero is no sign of held-out training edges.
    /// </summary>
    private static string RecallUsers(MultiInterestMetrics metrics) =>
        metrics.Unseen == Engine.UnseenHeldOut.Miss && metrics.MissedUsers > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{metrics.UserCount + metrics.MissedUsers} test users ({MultiInterestMetrics.Users(metrics.MissedUsers)} "
                + $"unseen in training or holding out only unseen items, scored 0 as misses, and {MultiInterestMetrics.Users(metrics.UserCount)} with a list)")
            : string.Create(CultureInfo.InvariantCulture, $"{metrics.UserCount} test users");

    private static long HeldOutCount(HeldOutEdges edges) => edges.Items.Sum(items => (long)items.Length);

    /// <summary>How many held-out edges are edges of <paramref name="view"/> too: the (few) held-out pairs hashed, the view streamed past them.</summary>
    private static long CountHeldOutIn(IDataView view, MultiInterestEvaluatorOptions o, HeldOutEdges edges)
    {
        var heldOut = new HashSet<(uint, uint)>();
        for (int q = 0; q < edges.Users.Length; q++)
            foreach (int i in edges.Items[q]) heldOut.Add(((uint)edges.Users[q] + 1, (uint)i + 1));
        var userColumn = view.Schema[o.UserColumnName];
        var itemColumn = view.Schema[o.ItemColumnName];
        using var cursor = view.GetRowCursor([userColumn, itemColumn]);
        var getUser = cursor.GetGetter<uint>(userColumn);
        var getItem = cursor.GetGetter<uint>(itemColumn);
        uint user = 0, item = 0;
        long found = 0;
        while (cursor.MoveNext() && heldOut.Count > 0)
        {
            getUser(ref user);
            getItem(ref item);
            if (heldOut.Remove((user, item))) found++;
        }
        return found;
    }

    /// <summary>
    /// Each test user's number of distinct training items in <paramref name="fitData"/> (its activity), and how many held-out
    /// edges are edges of <paramref name="fitData"/> too.
    /// </summary>
    private static (int[] Degrees, long Overlapping) ReadFitEdges(IDataView fitData, MultiInterestEvaluatorOptions o, HeldOutEdges edges)
    {
        var pairs = new HashSet<(uint, uint)>();
        var userColumn = fitData.Schema[o.UserColumnName];
        var itemColumn = ColumnChecks.Key(fitData.Schema, o.ItemColumnName, nameof(o.ItemColumnName), out _);
        using var cursor = fitData.GetRowCursor([userColumn, itemColumn]);
        var getUser = cursor.GetGetter<uint>(userColumn);
        var getItem = cursor.GetGetter<uint>(itemColumn);
        uint user = 0, item = 0;
        var degree = new Dictionary<uint, int>();
        while (cursor.MoveNext())
        {
            getUser(ref user);
            getItem(ref item);
            if (user == 0 || item == 0 || !pairs.Add((user, item))) continue;
            degree[user] = degree.GetValueOrDefault(user) + 1;
        }
        long overlapping = 0;
        for (int q = 0; q < edges.Users.Length; q++)
            foreach (int i in edges.Items[q]) if (pairs.Contains(((uint)edges.Users[q] + 1, (uint)i + 1))) overlapping++;
        return (edges.Users.Select(u => degree.GetValueOrDefault((uint)u + 1)).ToArray(), overlapping);
    }

    private static ItemEmbeddingTable ReadItems(IDataView view, string parameter, string source, MultiInterestEvaluatorOptions o, HeldOutEdges edges)
    {
        var items = ItemEmbeddingTable.Read(view, parameter, source, o);
        // Said by the view's name: otherwise every held-out item reads as unseen, and the error blames the held-out edges.
        if (items.IsEmpty)
            throw new ArgumentException($"The view '{parameter}' has no row with an item key (column '{o.ItemColumnName}'), so no item has an embedding "
                + $"(column '{o.ItemEmbeddingColumnName}'): pass the training edges transformed by the fitted pipeline.", parameter);
        KeyTypeMatch.Same(new(items.ItemColumn, $"Column '{o.ItemColumnName}' of {source}"), new(edges.ItemColumn, $"column '{o.ItemColumnName}' of the held-out edges"));
        return items;
    }
}
