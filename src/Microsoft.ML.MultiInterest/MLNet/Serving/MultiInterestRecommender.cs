using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Live recommendations by raw ids from a fitted pipeline or a loaded model
/// (<see cref="MultiInterestCatalog.CreateRecommender(ITransformer)"/>, <see cref="MultiInterestCatalog.CreateRecommender(MultiInterestModel)"/>),
/// with the retrieval stage's method and settings. Its lists equal the pipeline's Transform, the engine
/// (<see cref="MultiInterestModel.RetrieveWithEngine"/>) and the exported ONNX graphs for the same user and history:
/// seen items (the training history and the request's history) are always excluded.
/// </summary>
/// <remarks>
/// Thread-safe: any number of threads may call <see cref="Recommend"/> and <see cref="SimilarItems"/> on one instance at
/// once; the tables are read-only and every call allocates its own scratch. A fitted pipeline and the recommender made from
/// it share those tables.
/// </remarks>
public sealed class MultiInterestRecommender
{
    private readonly LiveRetriever _live;
    private readonly Dictionary<string, int> _compactOfItem;

    internal MultiInterestRecommender(LiveRetriever live)
    {
        _live = live;
        var t = live.Tables;
        // Users are found through the names (no table per user key); items through a map of the recommendable ones only.
        _compactOfItem = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < t.ItemRowOf.Length; j++) _compactOfItem.TryAdd(t.ItemNames[t.ItemRowOf[j]], j);
    }

    /// <summary>M, the list length of the fitted retrieval stage (the default count).</summary>
    public int Candidates => _live.Tables.Candidates;

    /// <summary>How the lists are retrieved.</summary>
    public CandidateMethod Method => _live.Tables.Method;

    /// <summary>
    /// The candidates of user <paramref name="userId"/>. A user trained on gets its own vector and mixture; otherwise a non-empty
    /// <paramref name="history"/> builds its representation (<see cref="CandidateSource.History"/>); otherwise the most popular items
    /// (<see cref="CandidateSource.Popular"/>). The user's training items and the history are never returned.
    /// </summary>
    /// <param name="userId">The raw user id (unknown ids are new users).</param>
    /// <param name="history">Fresh item ids the user engaged with, or null; ids unknown to the model are ignored.</param>
    /// <param name="count">List length, at least 1; 0 = <see cref="Candidates"/>. Quotas are recomputed for it (a shorter list is not a prefix of a longer one).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public RecommendationList Recommend(string userId, IEnumerable<string>? history = null, int count = 0)
    {
        ArgumentNullException.ThrowIfNull(userId);
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1 (0 = the model's M).");
        var fresh = new SortedSet<int>();
        if (history != null)
            foreach (string id in history)
                if (id != null && _compactOfItem.TryGetValue(id, out int j)) fresh.Add(j);
        int user = _live.Tables.UserNames.IndexOf(userId);
        var list = _live.Retrieve(user, fresh.ToArray(), count == 0 ? Candidates : count);
        return new RecommendationList(userId, ToRecords(list), list.Source);
    }

    /// <summary>The <paramref name="count"/> items closest to <paramref name="itemId"/> by cosine of the item embeddings, itself excluded.</summary>
    /// <exception cref="ArgumentException">The item is unknown to the model.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public IReadOnlyList<Recommendation> SimilarItems(string itemId, int count)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1.");
        if (!_compactOfItem.TryGetValue(itemId, out int item))
            throw new ArgumentException($"Item '{itemId}' is unknown to the model (it had no training edge).", nameof(itemId));
        return ToRecords(_live.Similar(item, count));
    }

    private Recommendation[] ToRecords(LiveList list)
    {
        var t = _live.Tables;
        var records = new Recommendation[list.Items.Length];
        for (int r = 0; r < records.Length; r++) records[r] = new Recommendation(t.ItemNames[t.ItemRowOf[list.Items[r]]], list.Scores[r], r + 1);
        return records;
    }

    /// <summary>A rank-fusion stage of <paramref name="model"/>, looking inside transformer chains; null when it has none.</summary>
    internal static RankFusionTransformer? FindFusion(ITransformer model) => model switch
    {
        RankFusionTransformer fusion => fusion,
        IEnumerable<ITransformer> chain => chain.Select(FindFusion).FirstOrDefault(f => f != null),
        _ => null,
    };

    /// <summary>The last retrieval stage of <paramref name="model"/>, looking inside transformer chains.</summary>
    internal static CandidateRetrievalTransformer? FindRetriever(ITransformer model) => model switch
    {
        CandidateRetrievalTransformer retriever => retriever,
        IEnumerable<ITransformer> chain => chain.Reverse().Select(FindRetriever).FirstOrDefault(r => r != null),
        _ => null,
    };
}
