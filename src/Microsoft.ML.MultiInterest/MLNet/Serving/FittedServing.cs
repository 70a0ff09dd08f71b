using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The last step of every retrieval estimator's Fit: bundles what it read into <see cref="ServingTables"/>, computes the
/// trained users' lists once (the cache of <see cref="CandidateColumns"/> and what a saved model stores) and makes the
/// transformer.
/// </summary>
internal static class FittedServing
{
    /// <summary>Users per block of the Fit-time retrieval: progress is reported and cancellation checked between blocks.</summary>
    internal const int UsersPerBlock = 4096;

    public static CandidateRetrievalTransformer Create(MLContext context, string stage, IDataView input, EdgeRows rows, CompactItems items,
        CandidateMethod method, int candidates, double alpha, RetrievalSettings settings, bool excludeSeen,
        MixtureTable? mixtures, ItemClustering? clustering, RetrieverOptions options, LearnedComponents? learned = null, ConditionalModel? conditional = null,
        IReadOnlyDictionary<int, int[]>? followed = null)
    {
        var columns = RetrieverColumns.Of(options);
        (settings, var encoder) = HistoryVectorChoice.Resolve(options, method, settings, input.Schema, rows.UserVectors != null);
        DivideConquerHistoryWarning.Check(context, stage, input.Schema[options.ItemEmbeddingColumnName], settings, options.HistoryVector);
        var itemNames = KeyNames.Of(input.Schema[columns.Item], rows.ItemCount);
        (settings, encoder) = HistoryMixtureChoice.Resolve(options, method, settings, input.Schema, clustering, items.RowOf, itemNames, encoder,
            message => Logging.Warning(context, stage, $"{message}"));
        var tables = new ServingTables
        {
            Method = method,
            Candidates = candidates,
            Alpha = alpha,
            Settings = settings,
            ExcludeSeen = excludeSeen,
            ItemNames = itemNames,
            UserNames = KeyNames.Of(input.Schema[columns.User], rows.UserCount),
            UserColumnName = columns.User,
            ItemColumnName = columns.Item,
            ItemRowOf = items.RowOf,
            Items = items.Embeddings,
            UserVectors = rows.UserVectors,
            Mixtures = mixtures,
            Clustering = clustering,
            Learned = learned,
            Conditional = conditional,
            Followed = followed,
            // Over the stage's items (compact index), as the zip saves them.
            Encoder = encoder?.Select(items.RowOf),
            HistoryUsers = items.ActiveUsers,
            History = items.ActiveHistory(),
        };
        // A history column the fitted stage would refuse at Transform (another type, another item mapping) is refused now.
        HistoryColumnReader.Find(input.Schema, columns.History, tables.ItemNames);
        var live = new LiveRetriever(tables, options.Threads);
        if (live.Settings is { HistoryVector: HistoryVector.FoldIn, Interests: not MmrInterests.History } read)
            Logging.Info(context, stage, $"A new user is read from its history by the implicit-ALS fold-in (lambda {read.FoldInRegularization}, nu {read.FoldInRegularizationExponent}, "
                + $"alpha0 {read.FoldInUnobservedWeight}: {(read.FoldInMatchUserVectors ? "fitted to the user vectors" : "the embeddings' objective")}).");
        var users = items.ActiveUsers;
        var reporter = new StageReporter(context, stage, options);
        var lists = RetrieveInBlocks(live, users, options.Threads, reporter);
        reporter.Report($"Retrieved {(candidates <= items.RowOf.Length ? $"{candidates}" : $"up to {items.RowOf.Length} (M = {candidates})")} candidates for {users.Length} users from {items.RowOf.Length} items; Transform retrieves live for fresh history and new users.",
            users.Length, users.Length);
        OptionWarnings.ShortLists(context, stage, lists, tables.History, candidates, items.RowOf.Length, excludeSeen,
            method == CandidateMethod.ClusterQuota && rows.UserVectors == null ? " (a cluster-quota retrieval without UserEmbeddingColumnName has no unimodal fill)" : "");
        var output = new CandidateColumns(live, users, lists, columns.User, columns.History, columns.Candidates, columns.Scores, columns.Source);
        return new CandidateRetrievalTransformer(output);
    }

    /// <summary>The trained users' lists, block by block; each user's list does not depend on the blocks.</summary>
    private static RankedLists RetrieveInBlocks(LiveRetriever live, int[] users, int threads, StageReporter reporter)
    {
        if (users.Length <= UsersPerBlock)
        {
            reporter.ThrowIfCancelled();
            return live.RetrieveTrained(users, threads);
        }
        var all = new RankedLists(users.Length, live.Tables.ListLength);
        for (int start = 0; start < users.Length; start += UsersPerBlock)
        {
            reporter.ThrowIfCancelled();
            int count = Math.Min(UsersPerBlock, users.Length - start);
            var block = live.RetrieveTrained(users[start..(start + count)], threads);
            for (int q = 0; q < count; q++)
            {
                block.IndicesOf(q).CopyTo(all.IndexSlots(start + q));
                block.ScoresOf(q).CopyTo(all.ScoreSlots(start + q));
                all.Counts[start + q] = block.Counts[q];
            }
            if (start + count < users.Length) reporter.Report($"Retrieved the lists of {start + count} of {users.Length} users.", start + count, users.Length);
        }
        return all;
    }
}

/// <summary>The column names a retrieval stage reads and writes at serving time.</summary>
internal sealed record RetrieverColumns(string User, string Item, string History, string Candidates, string Scores, string Source)
{
    /// <summary>The columns every retriever's options name.</summary>
    public static RetrieverColumns Of(RetrieverOptions o) =>
        new(o.UserColumnName, o.ItemColumnName, o.HistoryColumnName, o.CandidatesColumnName, o.CandidateScoresColumnName, o.CandidateSourceColumnName);
}
