using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The last step of every retrieval estimator's Fit: bundles what it read into <see cref="ServingTables"/>, computes the
/// trained users' lists once (the cache of <see cref="CandidateColumns"/> and what a saved model stores) and makes the
/// transformer.
/// </summary>
internal static class FittedServing
{
    public static CandidateRetrievalTransformer Create(MLContext context, string stage, IDataView input, EdgeRows rows, CompactItems items,
        RetrieverColumns columns, CandidateMethod method, int candidates, double alpha, RetrievalSettings settings, bool excludeSeen,
        MixtureTable? mixtures, ItemClustering? clustering, int threads)
    {
        var tables = new ServingTables
        {
            Method = method,
            Candidates = candidates,
            Alpha = alpha,
            Settings = settings,
            ExcludeSeen = excludeSeen,
            ItemNames = KeyNames.Of(input.Schema[columns.Item], rows.ItemCount),
            UserNames = KeyNames.Of(input.Schema[columns.User], rows.UserCount),
            ItemRowOf = items.RowOf,
            Items = items.Embeddings,
            UserVectors = rows.UserVectors,
            Mixtures = mixtures,
            Clustering = clustering,
            History = items.Graph,
        };
        var live = new LiveRetriever(tables);
        var users = items.ActiveUsers();
        var lists = live.RetrieveTrained(users, threads);
        Logging.Info(context, stage, $"Retrieved {candidates} candidates for {users.Length} users from {items.RowOf.Length} items; Transform retrieves live for fresh history and new users.");
        var output = new CandidateColumns(live, users, lists, columns.User, columns.History, columns.Candidates, columns.Scores, columns.Source);
        return new CandidateRetrievalTransformer(output);
    }
}

/// <summary>The column names a retrieval stage reads and writes at serving time.</summary>
internal sealed record RetrieverColumns(string User, string Item, string History, string Candidates, string Scores, string Source);
