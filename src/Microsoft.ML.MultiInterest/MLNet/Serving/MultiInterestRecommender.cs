using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Live recommendations by raw ids from a fitted pipeline or a loaded model
/// (<see cref="MultiInterestCatalog.CreateRecommender(ITransformer)"/>, <see cref="MultiInterestCatalog.CreateRecommender(MultiInterestModel)"/>),
/// with the retrieval stage's method and settings, or, for a pipeline that ends in a <see cref="RankFusionTransformer"/>, its source
/// stages' lists fused with its weights. Its lists equal the pipeline's Transform, the engine
/// (<see cref="MultiInterestModel.RetrieveWithEngine"/>) and the exported ONNX graphs for the same user and history:
/// the request's history is always excluded, and the training history too unless the stage was fitted with <c>ExcludeSeen = false</c>.
/// </summary>
/// <remarks>
/// Thread-safe: any number of threads may call <see cref="Recommend(string, IEnumerable{string}, int)"/> and <see cref="SimilarItems"/> on one instance at
/// once; the tables are read-only and every call allocates its own scratch. A fitted pipeline and the recommender made from
/// it share those tables. <see cref="FoldInNewItems(IEnumerable{ValueTuple{string, string}}, int)"/> never changes them: it
/// returns a new recommender (requests in flight on this one are unaffected; a service swaps its reference).
/// </remarks>
public sealed partial class MultiInterestRecommender
{
    private readonly LiveRetriever _live;
    private readonly Dictionary<string, int> _compactOfItem;
    private readonly Fusion? _fusion;
    private readonly string[] _stageNames;

    /// <summary>A recommender over one stage, whose candidates column is <paramref name="stageName"/>.</summary>
    internal MultiInterestRecommender(LiveRetriever live, string stageName)
    {
        _live = live;
        _compactOfItem = CompactOfItem(live);
        _stageNames = [stageName];
    }

    /// <summary>
    /// A recommender that fuses the lists of <paramref name="sources"/> (each of weight &gt; 0) as a <see cref="RankFusionTransformer"/> does;
    /// <paramref name="stageNames"/> are their source columns.
    /// </summary>
    internal MultiInterestRecommender(IReadOnlyList<LiveRetriever> sources, IReadOnlyList<double> weights, int candidates, IReadOnlyList<string> stageNames)
        : this(sources[0], stageNames[0])
    {
        _stageNames = stageNames.ToArray();
        _fusion = new Fusion(sources.Select((s, l) => l == 0 ? _compactOfItem : CompactOfItem(s)).ToArray(), sources.ToArray(), weights.ToArray(), candidates);
    }

    /// <summary>M, the list length of the fitted retrieval stage, or of the fusion (the default count).</summary>
    public int Candidates => _fusion?.Candidates ?? _live.Tables.Candidates;

    /// <summary>How the lists are retrieved (<see cref="CandidateMethod.RankFusion"/> for a fusing pipeline).</summary>
    public CandidateMethod Method => _fusion != null ? CandidateMethod.RankFusion : _live.Tables.Method;

    /// <summary>
    /// Whether <see cref="Recommend(string, IEnumerable{string}, int)"/> reads a trained user who brings a history from its
    /// whole history (its training items and the history's, as a new user with that history would be read, the list still
    /// <see cref="CandidateSource.Trained"/>) rather than from its trained representation with the history only excluded: on
    /// stages that read a history by the implicit-ALS fold-in alone (<see cref="RetrievalSettings.HistoryVector"/> FoldIn with
    /// unimodal or MMR without a mixture term, and history-interest MMR), for a fusion when any source does. Where true for a
    /// single stage, an ONNX client reproduces such a list (its items and scores; the source aside) by serving the user's
    /// whole history as a fresh one (<c>OnnxCandidateScorer.RetrieveUnimodalFromHistories</c>, <c>OnnxMmrScorer.RetrieveFromHistories</c>,
    /// <c>OnnxHistoryMmrScorer.RetrieveFromHistories</c>); for a fusion only when every weighted source rereads (a source that
    /// keeps the trained representation, e.g. cluster quotas, is not served so by <c>OnnxFusionScorer.RetrieveFromHistories</c>).
    /// <see cref="MultiInterestModel.RetrieveWithEngine"/> serves trained representations only.
    /// </summary>
    public bool RereadsTrainedUsers => _fusion?.Sources.Any(s => s.RereadsTrainedUsers) ?? _live.RereadsTrainedUsers;

    /// <summary>
    /// Whether the model knows item <paramref name="itemId"/> (it had a training edge, or was folded in by
    /// <see cref="FoldInNewItems(IEnumerable{ValueTuple{string, string}}, int)"/>): only such an item can be recommended,
    /// read in a request's history or left out by an exclusion. An item added to the catalogue since the fit is not known
    /// until the next fit or a fold-in: <see cref="Recommend(string, IEnumerable{string}, int)"/> skips it in a history without a word (a
    /// history of such items only gives the popular list), and <see cref="SimilarItems"/> refuses it. Use this to count them
    /// (docs/persistence.md, "New items between fits").
    /// </summary>
    /// <param name="itemId">The raw item id, as in the training edges.</param>
    /// <returns>True if the item can be recommended and read in a history.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="itemId"/> is null.</exception>
    public bool KnowsItem(string itemId)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        return _compactOfItem.ContainsKey(itemId);
    }

    /// <summary>
    /// Whether the model was trained on user <paramref name="userId"/> (it had a training edge): such a user is served its own
    /// representation (<see cref="CandidateSource.Trained"/>); any other id is a new user, served from its history or the
    /// popular items. Ids are matched exactly as written (" u1" is not "u1").
    /// </summary>
    /// <param name="userId">The raw user id, as in the training edges.</param>
    /// <returns>True if a stage served (any source of a fusion) has a trained representation of the user.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="userId"/> is null.</exception>
    public bool KnowsUser(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return (_fusion?.Sources ?? [_live]).Any(s => s.Tables.IsTrained(s.Tables.UserNames.IndexOf(userId)));
    }

    /// <summary>
    /// The candidates of user <paramref name="userId"/>. A user trained on gets its own vector and mixture (with a non-empty
    /// <paramref name="history"/>, on stages where <see cref="RereadsTrainedUsers"/>, the representation of its whole history);
    /// otherwise a non-empty <paramref name="history"/> builds its representation (<see cref="CandidateSource.History"/>; its
    /// vector as <see cref="RetrievalSettings.HistoryVector"/> reads it); otherwise the most popular items
    /// (<see cref="CandidateSource.Popular"/>). The history is never returned, nor the user's training items unless the stage was fitted with <c>ExcludeSeen = false</c>,
    /// nor, from a recommender made by <see cref="ExcludingSelf"/>, the item whose id is the user's. For a fusing
    /// pipeline every source stage retrieves so (its own M, or <paramref name="count"/>) and the lists are fused as its
    /// <see cref="RankFusionTransformer"/> fuses them; the source reported is the first weighted stage's.
    /// </summary>
    /// <param name="userId">The raw user id (unknown ids are new users; an empty one is refused, and so is a blank one the model was not trained on).</param>
    /// <param name="history">Fresh item ids the user engaged with, or null; ids unknown to the model are ignored (<see cref="KnowsItem"/> tells them).</param>
    /// <param name="count">
    /// List length, at least 1; 0 = <see cref="Candidates"/>; capped at the recommendable items. Quotas are recomputed for it (a
    /// shorter list is not a prefix of a longer one). An MMR stage's work grows with its square (its greedy pass compares each
    /// pick with a pool of at least <paramref name="count"/> items: seconds for a catalogue of 30,000): bound it in a service.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty, or blank and not a user of the model, or <paramref name="history"/> holds a null, an empty or an unknown blank id; or an id is unknown as written but known without the spaces or line breaks around it (" u1" where "u1" is a user); or the model's key column has no KeyValues (its ids are the key numbers "1".."N") and an id is no key number (docs/pipeline.md, "Ids of a key column without KeyValues").</exception>
    /// <returns>The list, best first, with the source of the user's representation (<see cref="RecommendationList.Source"/>); shorter than asked when fewer items can be recommended.</returns>
    public RecommendationList Recommend(string userId, IEnumerable<string>? history = null, int count = 0) => Recommend(userId, history, count, exclude: null);

    /// <summary>
    /// As <see cref="Recommend(string, IEnumerable{string}, int)"/>, never returning the items of <paramref name="exclude"/>:
    /// items taken out of the catalogue since the model was fitted (deleted, blocked), or any other the caller must not show.
    /// Unlike <paramref name="history"/>, they are not the user's engagements: a user served from its history gets the same
    /// query (mixture and vector) as without them, and the list is filled from the next items instead. Where
    /// <see cref="ExcludesSelf"/>, the user's own id is excluded as well.
    /// </summary>
    /// <param name="userId">The raw user id (unknown ids are new users; an empty one is refused, and so is a blank one the model was not trained on).</param>
    /// <param name="history">Fresh item ids the user engaged with, or null; ids unknown to the model are ignored.</param>
    /// <param name="count">List length, at least 1; 0 = <see cref="Candidates"/> (see the overload without exclusions).</param>
    /// <param name="exclude">Item ids never to return, or null; ids unknown to the model are ignored.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty, or blank and not a user of the model, or <paramref name="history"/> or <paramref name="exclude"/> holds a null, an empty or an unknown blank id; or an id is unknown as written but known without the spaces or line breaks around it (" u1" where "u1" is a user); or the model's key column has no KeyValues (its ids are the key numbers "1".."N") and an id is no key number (docs/pipeline.md, "Ids of a key column without KeyValues").</exception>
    /// <returns>The list, best first, with the source of the user's representation (<see cref="RecommendationList.Source"/>); shorter than asked when fewer items can be recommended.</returns>
    public RecommendationList Recommend(string userId, IEnumerable<string>? history, int count, IEnumerable<string>? exclude)
    {
        RequireUserId(userId);
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1 (0 = the model's M).");
        var ids = ItemIds(history, nameof(history));
        var excluded = WithSelf(ItemIds(exclude, nameof(exclude)), userId);
        if (_fusion != null) return _fusion.Recommend(userId, ids, count, excluded);
        var list = RetrieveFrom(_live, _compactOfItem, userId, ids, count == 0 ? Candidates : count, excluded: excluded);
        return new RecommendationList(userId, ToRecords(list), list.Source);
    }

    /// <summary>
    /// The item ids of a request's <paramref name="parameter"/> (a history or exclusions), refusing a null entry: a request
    /// that lost an id would otherwise be served as if the user had engaged with, or blocked, one item fewer.
    /// </summary>
    private string[] ItemIds(IEnumerable<string>? ids, string parameter)
    {
        var array = ids?.ToArray() ?? [];
        int missing = Array.IndexOf(array, null);
        if (missing >= 0)
            throw new ArgumentException($"The {parameter} holds a null item id (entry {missing} of {array.Length}): the request lost an id. Pass item ids only; an id the model does not know is ignored.", parameter);
        for (int e = 0; e < array.Length; e++)
        {
            string id = array[e];
            // An empty id names no item (no fit knows one); a blank one only where the training edges held it.
            if (id.Length == 0 || (string.IsNullOrWhiteSpace(id) && !KnowsItem(id)))
                throw new ArgumentException($"The {parameter} holds {(id.Length == 0 ? "an empty item id" : $"the blank item id '{Escaped(id)}'")} (entry {e} of {array.Length})"
                    + $"{(id.Length == 0 ? "" : ", no item of the model")}: the request lost an id. Pass item ids only; an id the model does not know is ignored.", parameter);
            RequirePaddingFree(id, user: false, parameter);
            RequireKeyNumber(id, user: false, parameter);
        }
        return array;
    }

    /// <summary>
    /// Refuses an id the model does not know whose spaces or line breaks around it hide one it does (" u1", "i3\n"): matched
    /// exactly, it would be served as a new user (the popular list) or left out of a history or an exclusion without a word,
    /// where a client's stray whitespace is almost always the cause. Ids the model knows as written, padding included, pass.
    /// </summary>
    private void RequirePaddingFree(string id, bool user, string parameter, string? consequence = null)
    {
        if (id.Length == 0 || !(char.IsWhiteSpace(id[0]) || char.IsWhiteSpace(id[^1]))) return;
        string trimmed = id.Trim();
        bool knows(string candidate) => user ? KnowsUser(candidate) : KnowsItem(candidate);
        if (trimmed.Length == 0 || knows(id) || !knows(trimmed)) return;
        string side = user ? "user" : "item";
        consequence ??= $"so it would be served as {(user ? "a new user (its history's list or the popular items)" : "an item the model does not know, and ignored")}";
        throw new ArgumentException($"The {side} id '{Escaped(id)}' ({parameter}) is no {side} of the model, but '{Escaped(trimmed)}', without the spaces or line "
            + $"breaks around it, is: ids are matched exactly as written, {consequence}. Trim the request's ids.", parameter);
    }

    /// <summary>
    /// Refuses an id that is no key number where the model names a side by its key numbers (its key column had no KeyValues):
    /// there no id but "1".."N" can name anything, so "0" or "u3" is a caller using another convention (a file's own ids,
    /// which ML.NET's loaders store as key v + 1), not a new user or an item added since the fit, and serving it the
    /// popular list, or leaving it out of a history, would hide that. Models whose keys carry ids are not affected.
    /// </summary>
    /// <param name="id">The id asked for.</param>
    /// <param name="user">Whether it names a user (else an item).</param>
    /// <param name="parameter">The parameter that holds it.</param>
    /// <param name="place">Where in the parameter, for the message ("edge 3 of edges"); null names the parameter alone.</param>
    private void RequireKeyNumber(string id, bool user, string parameter, string? place = null)
    {
        var t = _live.Tables;
        var names = user ? t.UserNames : t.ItemNames;
        int numbers = names.KeyNumberCount;
        if (numbers == 0 || names.IndexOf(id) >= 0) return;
        string side = user ? "user" : "item";
        throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"The {side} id '{Escaped(id)}' ({place ?? parameter}) is no key of column '{(user ? t.UserColumnName : t.ItemColumnName)}', which has no KeyValues: the model names its {side}s ")
            + string.Create(System.Globalization.CultureInfo.InvariantCulture, $"by the key numbers 1..{numbers}, and an id must be one of them. ML.NET stores a value v loaded into a key column as key v + 1 ")
            + $"(the text loader's KeyCount columns and LoadFromEnumerable's [KeyType] fields alike: the file's {side} 0 is '1'): to serve by the file's own ids, "
            + "map them with MapValueToKey before the pipeline (its keys carry the ids), or ask by key number.", parameter);
    }

    /// <summary>
    /// Refuses a null or empty user id, and a blank one (whitespace only) the model was not trained on. No fit knows an empty
    /// id (the edge readers and key mappings refuse or drop it), so serving it as a new user would hand the popular list to
    /// what is almost always a request that lost its id; a blank id is the same mistake, unless the training edges held it
    /// (the readers keep ids as written), and then it is that trained user.
    /// </summary>
    private void RequireUserId(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        if (userId.Length == 0)
            throw new ArgumentException("The user id is empty: no fit knows an empty id, so the request most likely lost its user. Pass the user's id, "
                + "or, for a visitor without one, any id the model was not trained on (a session id): a new user gets the list of its history or the popular items.", nameof(userId));
        if (string.IsNullOrWhiteSpace(userId) && !KnowsUser(userId))
            throw new ArgumentException($"The user id '{Escaped(userId)}' is blank (whitespace only) and no user of the model, so the request most likely lost its user. "
                + "Pass the user's id, or, for a visitor without one, any id the model was not trained on that is not blank (a session id): "
                + "a new user gets the list of its history or the popular items.", nameof(userId));
        RequirePaddingFree(userId, user: true, nameof(userId));
        RequireKeyNumber(userId, user: true, nameof(userId));
    }

    /// <summary>An id with its tabs and line breaks written as \t, \n and \r, so that a message shows what it holds.</summary>
    internal static string Escaped(string id) => IO.TabSeparatedId.Escaped(id);

    /// <summary>One stage's live list for a raw user id and raw history ids (those the stage knows), and optional followed conditions.</summary>
    private static LiveList RetrieveFrom(LiveRetriever live, Dictionary<string, int> compactOfItem, string userId, string[] history, int count, int[]? followed = null,
        string[]? excluded = null)
    {
        var (user, fresh, left, capped) = RequestOf(live, compactOfItem, userId, history, count, excluded ?? []);
        return live.Retrieve(user, fresh, capped, followed, left);
    }

    /// <summary>A request by raw ids as one stage's rows: the user row, the fresh and excluded items it knows (compact, ascending) and the count, capped.</summary>
    private static (int User, int[] Fresh, int[] Excluded, int Count) RequestOf(LiveRetriever live, Dictionary<string, int> compactOfItem, string userId, string[] history,
        int count, string[] excluded)
    {
        var fresh = new SortedSet<int>();
        foreach (string id in history)
            if (compactOfItem.TryGetValue(id, out int j)) fresh.Add(j);
        var left = new SortedSet<int>();
        foreach (string id in excluded)
            if (compactOfItem.TryGetValue(id, out int j) && !fresh.Contains(j)) left.Add(j);
        // A count beyond the catalogue asks for every item: capped, so a request cannot make the service allocate for it.
        return (live.Tables.UserNames.IndexOf(userId), fresh.ToArray(), left.ToArray(), Math.Min(count, live.Tables.ItemRowOf.Length));
    }

    /// <summary>Users are found through the names (no table per user key); items through a map of the recommendable ones only.</summary>
    private static Dictionary<string, int> CompactOfItem(LiveRetriever live)
    {
        var t = live.Tables;
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < t.ItemRowOf.Length; j++) map.TryAdd(t.ItemNames[t.ItemRowOf[j]], j);
        return map;
    }

    /// <summary>The source stages of a fusing pipeline, each with its own item map, and the fusion's weights and M.</summary>
    private sealed record Fusion(Dictionary<string, int>[] CompactOfItem, LiveRetriever[] Sources, double[] Weights, int Candidates)
    {
        /// <summary>
        /// <see cref="Recommend"/>'s fused list with each item credited to the source entry that gave its fused score (the same
        /// order as <see cref="Engine.RankFusionRow.TakeBest"/>'s), and that source's interest and closest history item.
        /// </summary>
        public RecommendationExplanation Explain(string userId, string[] history, int count, string[] excluded, IReadOnlyList<string> stageNames)
        {
            if (!Sources.Any(s => s.ExplainableMethod))
                throw new InvalidOperationException(Sources[0].NotExplainable(nameof(Explain)) + " No source of this fusion names interests.");
            var fusion = new Engine.RankFusionRow();
            var explained = new LiveExplanation[Sources.Length];
            int entries = 0;
            for (int l = 0; l < Sources.Length; l++)
            {
                var live = Sources[l];
                explained[l] = ExplainFrom(live, CompactOfItem[l], userId, history, count == 0 ? live.Tables.Candidates : count, excluded, strict: false);
                var items = explained[l].List.Items;
                for (int r = 0; r < items.Length; r++) fusion.Add(live.Tables.ItemRowOf[items[r]], Weights[l], l, r);
                entries += items.Length;
            }
            int m = Math.Min(count == 0 ? Candidates : count, entries);
            var rows = new int[m];
            var scores = new float[m];
            var sources = new int[m];
            var ranks = new int[m];
            int kept = fusion.TakeBest(rows, scores, sources, ranks);
            var records = new ExplainedRecommendation[kept];
            for (int r = 0; r < kept; r++)
                records[r] = Explained(Sources[sources[r]].Tables, explained[sources[r]], ranks[r], scores[r], r + 1, sources[r]);
            var interests = Enumerable.Range(0, Sources.Length).SelectMany(l => UserInterest.Of(explained[l], Sources[l].Tables, l)).ToArray();
            return new RecommendationExplanation(userId, explained[0].List.Source, stageNames, records, interests, HistoryIds(Sources[0].Tables, explained[0].History));
        }

        public RecommendationList Recommend(string userId, string[] history, int count, string[] excluded)
        {
            var fusion = new Engine.RankFusionRow();
            CandidateSource? source = null;
            int entries = 0;
            for (int l = 0; l < Sources.Length; l++)
            {
                var live = Sources[l];
                var list = RetrieveFrom(live, CompactOfItem[l], userId, history, count == 0 ? live.Tables.Candidates : count, excluded: excluded);
                source ??= list.Source;
                // Fused on item rows (key - 1), which every source shares; each stage's compact items are its own.
                for (int r = 0; r < list.Items.Length; r++) fusion.Add(live.Tables.ItemRowOf[list.Items[r]], Weights[l], l, r);
                entries += list.Items.Length;
            }
            int m = Math.Min(count == 0 ? Candidates : count, entries);
            var items = new int[m];
            var scores = new float[m];
            int kept = fusion.TakeBest(items, scores);
            var names = Sources[0].Tables.ItemNames;
            var records = new Recommendation[kept];
            for (int r = 0; r < kept; r++) records[r] = new Recommendation(names[items[r]], scores[r], r + 1);
            return new RecommendationList(userId, records, source ?? CandidateSource.Popular);
        }
    }

    /// <summary>
    /// The <paramref name="count"/> items closest to <paramref name="itemId"/> by cosine of the item embeddings, itself excluded
    /// (every other item when <paramref name="count"/> exceeds them).
    /// </summary>
    /// <remarks>For a fusing pipeline, by the first source stage's item embeddings.</remarks>
    /// <exception cref="ArgumentException">The item is unknown to the model (neither trained nor folded in); on a model whose item key column has no
    /// KeyValues, the message says so when <paramref name="itemId"/> is no key number.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    /// <param name="itemId">The raw item id, as in the training edges or a fold-in; not null.</param>
    /// <param name="count">How many items to return, at least 1; capped at the other items of the model.</param>
    /// <returns>The items, most similar first, each with its cosine as <see cref="Recommendation.Score"/> and its rank from 1.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="itemId"/> is null.</exception>
    public IReadOnlyList<Recommendation> SimilarItems(string itemId, int count)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1: SimilarItems has no list length of its own to default to (Recommend's count 0 is the model's M).");
        // As Recommend's ids, in the same order: an id padded around a known one is said as such, and every id is quoted
        // escaped (a TAB or line break in it would otherwise break the message, or a service's log line, apart).
        RequirePaddingFree(itemId, user: false, nameof(itemId), "so it names no item to find neighbours of");
        RequireKeyNumber(itemId, user: false, nameof(itemId));
        if (!_compactOfItem.TryGetValue(itemId, out int item))
            throw new ArgumentException($"Item '{Escaped(itemId)}' is unknown to the model (it had no training edge and was not folded in: FoldInNewItems).", nameof(itemId));
        return ToRecords(_live.Similar(item, Math.Min(count, _live.Tables.ItemRowOf.Length)));
    }

    private Recommendation[] ToRecords(LiveList list)
    {
        var t = _live.Tables;
        var records = new Recommendation[list.Items.Length];
        for (int r = 0; r < records.Length; r++) records[r] = new Recommendation(t.ItemNames[t.ItemRowOf[list.Items[r]]], list.Scores[r], r + 1);
        return records;
    }

    /// <summary>The last rank-fusion stage of <paramref name="model"/>, looking inside transformer chains; null when it has none.</summary>
    internal static RankFusionTransformer? FindFusion(ITransformer model) => model switch
    {
        RankFusionTransformer fusion => fusion,
        IEnumerable<ITransformer> chain => chain.Reverse().Select(FindFusion).FirstOrDefault(f => f != null),
        _ => null,
    };

    /// <summary>Every retrieval and rank-fusion stage of <paramref name="model"/> in pipeline order, looking inside transformer chains.</summary>
    internal static IEnumerable<ITransformer> Stages(ITransformer model) => model switch
    {
        CandidateRetrievalTransformer or RankFusionTransformer => [model],
        IEnumerable<ITransformer> chain => chain.SelectMany(Stages),
        _ => [],
    };

    /// <summary>Every retrieval stage of <paramref name="model"/>, looking inside transformer chains.</summary>
    internal static IEnumerable<CandidateRetrievalTransformer> Retrievers(ITransformer model) => model switch
    {
        CandidateRetrievalTransformer retriever => [retriever],
        IEnumerable<ITransformer> chain => chain.SelectMany(Retrievers),
        _ => [],
    };

    /// <summary>The last retrieval stage of <paramref name="model"/>, looking inside transformer chains.</summary>
    internal static CandidateRetrievalTransformer? FindRetriever(ITransformer model) => model switch
    {
        CandidateRetrievalTransformer retriever => retriever,
        IEnumerable<ITransformer> chain => chain.Reverse().Select(FindRetriever).FirstOrDefault(r => r != null),
        _ => null,
    };
}
