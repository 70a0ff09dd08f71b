namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>knn --train FILE --test FILE [--artifacts DIR | --user-embeddings F --item-embeddings F [--item-clusters F]]</c>:
/// times neighbour search, kNN smoothing and cluster-quota retrieval (M = 50) for every test user, separately, next to
/// the exact unimodal top-M over all items, and counts the item dot products quota retrieval does per user.
/// </summary>
internal static class KnnCommand
{
    public static int Run(string[] args)
    {
        var o = new OptionList(args, RetrievalSettings.Flags);
        var settings = RetrievalSettings.From(o, defaultRepeats: 3);
        int maxUsers = o.Int("max-users", 0);
        var sources = KnnSources.Read(o, settings.Threads);
        o.RejectUnknown();
        var inputs = KnnInputs.Load(sources);

        var testUsers = Enumerable.Range(0, inputs.Test.UserCount).Where(u => inputs.Test.DegreeOf(u) > 0).ToArray();
        var queryUsers = RetrievalStages.Sample(testUsers, maxUsers);
        var report = RetrievalStages.Run(inputs.Train, inputs.Test, queryUsers, inputs.Users, inputs.Items, inputs.Clustering, settings);
        JsonReport.Print(new
        {
            report.Stages,
            report.SetupSeconds,
            report.QuotaWork,
            report.ShortQuotaLists,
            report.RecallAtM,
            report.NeighborIndex,
            Users = inputs.Train.UserCount,
            Items = inputs.Train.ItemCount,
            TrainEdges = inputs.Train.EdgeCount,
            TestUsers = testUsers.Length,
            TimedUsers = queryUsers.Length,
            Dimension = inputs.Items.Dimension,
            Clusters = inputs.Clustering.ClusterCount,
            inputs.Source,
            PrepareSeconds = inputs.Seconds,
            Settings = settings.Describe(),
            Memory = MemoryProbe.Take(),
        });
        return 0;
    }
}
