using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>Why each item of a list is there: the interest that placed it and the history item closest to it.</summary>
public sealed partial class MultiInterestRecommender
{
    /// <summary>
    /// <see cref="Recommend(string, IEnumerable{string}, int, IEnumerable{string})"/>'s list for the same arguments, explained: for
    /// each candidate the retrieval stage and the interest of the user that placed it (the mixture component of cluster quotas or
    /// multi-interest MMR, the history interest of history-interest MMR, the learned component of a round robin; -1 for the
    /// unimodal head or fill of cluster quotas), and the item of the user's history closest to it by the cosine of that stage's
    /// item vectors; and the user's interests, each with its weight and the history items it covers. For a fusing pipeline each
    /// candidate is credited to the source whose <c>w_l / rank_l</c> gave its fused score, and the interests are listed source by
    /// source; a source that names no interests (unimodal, plain MMR, conditional) credits its items to interest -1. A
    /// popular fallback has no interests and no history. Costs about one <c>Recommend</c>, plus, for a round robin, its
    /// component search again (to tell which component placed each item).
    /// </summary>
    /// <param name="userId">The raw user id (unknown ids are new users; an empty one is refused, and so is a blank one the model was not trained on).</param>
    /// <param name="history">Fresh item ids the user engaged with, or null; ids unknown to the model are ignored.</param>
    /// <param name="count">List length, at least 1; 0 = <see cref="Candidates"/> (as for <c>Recommend</c>).</param>
    /// <param name="exclude">Item ids never to return, or null (as for <c>Recommend</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty, or blank and not a user of the model, or <paramref name="history"/> or <paramref name="exclude"/> holds a null, an empty or an unknown blank id; or an id is unknown as written but known without the spaces or line breaks around it (" u1" where "u1" is a user); or the model's key column has no KeyValues (its ids are the key numbers "1".."N") and an id is no key number (docs/pipeline.md, "Ids of a key column without KeyValues").</exception>
    /// <exception cref="InvalidOperationException">The (single) stage names no interests: unimodal retrieval, plain MMR
    /// (<see cref="Engine.MmrInterests.Clusters"/> with <see cref="RetrievalSettings.InterestWeight"/> 0) or conditional retrieval.</exception>
    /// <returns>The explained list, the user's interests and the source of its representation.</returns>
    public RecommendationExplanation Explain(string userId, IEnumerable<string>? history = null, int count = 0, IEnumerable<string>? exclude = null)
    {
        RequireUserId(userId);
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1 (0 = the model's M).");
        var ids = ItemIds(history, nameof(history));
        var excluded = WithSelf(ItemIds(exclude, nameof(exclude)), userId);
        if (_fusion != null) return _fusion.Explain(userId, ids, count, excluded, _stageNames);
        if (!_live.ExplainableMethod) throw new InvalidOperationException(_live.NotExplainable(nameof(Explain)));
        var explanation = ExplainFrom(_live, _compactOfItem, userId, ids, count == 0 ? Candidates : count, excluded, strict: true);
        var items = new ExplainedRecommendation[explanation.List.Items.Length];
        for (int r = 0; r < items.Length; r++)
            items[r] = Explained(_live.Tables, explanation, r, explanation.List.Scores[r], r + 1, stage: 0);
        return new RecommendationExplanation(userId, explanation.List.Source, _stageNames, items, UserInterest.Of(explanation, _live.Tables, 0),
            HistoryIds(_live.Tables, explanation.History));
    }

    /// <summary>One stage's explanation for a raw user id and raw history ids, as <see cref="RetrieveFrom"/> retrieves its list.</summary>
    private static LiveExplanation ExplainFrom(LiveRetriever live, Dictionary<string, int> compactOfItem, string userId, string[] history, int count, string[] excluded, bool strict)
    {
        var (user, fresh, left, capped) = RequestOf(live, compactOfItem, userId, history, count, excluded);
        return live.Explain(user, fresh, capped, left, strict: strict);
    }

    /// <summary>The explained candidate at <paramref name="position"/> of a stage's explanation, placed at <paramref name="rank"/> of the list returned.</summary>
    private static ExplainedRecommendation Explained(ServingTables t, LiveExplanation explanation, int position, float score, int rank, int stage)
    {
        int item = explanation.List.Items[position];
        var (closest, similarity) = ClosestHistoryItem(t, explanation.History, item);
        return new ExplainedRecommendation(t.ItemNames[t.ItemRowOf[item]], score, rank, stage, position + 1, explanation.Components[position],
            closest < 0 ? null : t.ItemNames[t.ItemRowOf[closest]], similarity);
    }

    /// <summary>The history item (compact) closest to <paramref name="item"/> by cosine of the stage's item vectors, the first in key order of equal ones; (-1, NaN) without history.</summary>
    private static (int Item, float Similarity) ClosestHistoryItem(ServingTables t, int[] history, int item)
    {
        var vector = t.Items.ReadRow(item);
        float norm = Engine.VectorMath.Norm(vector);
        int best = -1;
        float bestCosine = float.NaN;
        foreach (int h in history) // ascending (LiveExplanation.History), so the first of equal cosines is the lowest
        {
            var other = t.Items.ReadRow(h);
            float denominator = norm * Engine.VectorMath.Norm(other);
            float cosine = denominator > 0 ? Engine.VectorMath.Dot(vector, other) / denominator : 0f;
            if (best < 0 || cosine > bestCosine) (best, bestCosine) = (h, cosine);
        }
        return (best, bestCosine);
    }

    private static string[] HistoryIds(ServingTables t, int[] history) => history.Select(j => t.ItemNames[t.ItemRowOf[j]]).ToArray();
}
