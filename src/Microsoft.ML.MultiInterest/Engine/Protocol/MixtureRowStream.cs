using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The protocol's paper rows, Mixture and kNN-Embed (and kNN-Embed's round robin), block of test users by block: each
/// block's component embeddings (its MLE and smoothed mixtures) are built, its lists retrieved, its goodness of fit
/// measured and the plotted sample's rows copied, and then the embeddings are let go. The stage so holds one block's
/// m x d floats per user instead of two tables of every user's (0.46 GB each on Gowalla's 29,858 users at m = 5,
/// d = 768); the result keeps clusters and weights. Each step reads one user's history, neighbours and mixtures alone, so
/// lists, tables and fits are those of one pass, bit for bit, whatever the block size. With
/// <see cref="ProtocolSettings.KeepMixtureEmbeddings"/> the whole tables are built and kept, in one pass.
/// </summary>
internal sealed class MixtureRowStream
{
    private MixtureRowStream(MixtureTable mle, MixtureTable smoothed, int users)
    {
        Mle = mle;
        Smoothed = smoothed;
        MleFits = new double[users];
        SmoothedFits = new double[users];
    }

    /// <summary>The Mixture row's lists, by cutoff.</summary>
    public Dictionary<int, RankedLists> MixtureLists { get; } = [];

    /// <summary>The kNN-Embed row's lists, by cutoff.</summary>
    public Dictionary<int, RankedLists> KnnLists { get; } = [];

    /// <summary>The kNN-Embed mixtures served by round robin, by cutoff; null unless <see cref="ProtocolSettings.KnnRoundRobin"/>.</summary>
    public Dictionary<int, RankedLists>? RoundRobinLists { get; private set; }

    /// <summary>Every user's MLE mixture (the table the stream was given): component embeddings only when kept.</summary>
    public MixtureTable Mle { get; }

    /// <summary>The test users' smoothed mixtures: component embeddings only when kept.</summary>
    public MixtureTable Smoothed { get; }

    /// <summary>Each test user's goodness of fit of its MLE mixture (<see cref="ProtocolScorer.FitMixtures"/>), in test-user order.</summary>
    public double[] MleFits { get; }

    /// <summary>Each test user's goodness of fit of its smoothed mixture, in test-user order.</summary>
    public double[] SmoothedFits { get; }

    /// <summary>The users whose whole mixtures the samples hold (<see cref="MixtureSample.Select"/>); empty when none are asked for or all are kept.</summary>
    public int[] SampleUsers { get; private set; } = [];

    /// <summary>The sample users' whole MLE mixtures; null when <see cref="SampleUsers"/> is empty.</summary>
    public MixtureTable? MleSample { get; private set; }

    /// <summary>The sample users' whole smoothed mixtures; null when <see cref="SampleUsers"/> is empty.</summary>
    public MixtureTable? SmoothedSample { get; private set; }

    /// <summary>Seconds spent building MLE component embeddings (beyond the table given).</summary>
    public double MixtureSeconds { get; private set; }

    /// <summary>Seconds of kNN smoothing.</summary>
    public double SmoothingSeconds { get; private set; }

    /// <summary>Seconds of quota retrieval (both rows).</summary>
    public double QuotaSeconds { get; private set; }

    /// <summary>Seconds of round-robin retrieval.</summary>
    public double RoundRobinSeconds { get; private set; }

    /// <summary>Seconds of the goodness of fit and the samples' copies (the protocol counts them as scoring).</summary>
    public double FitSeconds { get; private set; }

    /// <summary>Runs both rows (and the round robin when asked) over <paramref name="testUsers"/>.</summary>
    /// <param name="train">The training graph: histories and excluded items.</param>
    /// <param name="clustering">The item clusters.</param>
    /// <param name="itemEmbeddings">The item vectors.</param>
    /// <param name="mle">
    /// Every user's MLE mixture: with component embeddings when <see cref="ProtocolSettings.KeepMixtureEmbeddings"/> is set
    /// (<see cref="MixtureBuilder.BuildMle"/>), otherwise clusters and weights (<see cref="MixtureBuilder.BuildMleWeights"/>).
    /// </param>
    /// <param name="testUsers">The users served, in the scorer's order.</param>
    /// <param name="neighbors">Each test user's neighbours, aligned with <paramref name="testUsers"/>.</param>
    /// <param name="unimodal">Each test user's unimodal ranking (the quotas' fill), aligned with <paramref name="testUsers"/>.</param>
    /// <param name="cutoffs">The list lengths, ascending.</param>
    /// <param name="scorer">Measures the goodness of fit; its test users are <paramref name="testUsers"/>.</param>
    /// <param name="settings">Components, lambda, alpha, the round robin, the sample, whether to keep the embeddings, and the block size.</param>
    /// <param name="threads">Degree of parallelism; the results do not depend on it.</param>
    public static MixtureRowStream Run(BipartiteGraph train, ItemClustering clustering, EmbeddingMatrix itemEmbeddings, MixtureTable mle, int[] testUsers,
        RankedLists neighbors, RankedLists unimodal, int[] cutoffs, ProtocolScorer scorer, ProtocolSettings settings, int threads)
    {
        bool keep = settings.KeepMixtureEmbeddings;
        if (mle.HasEmbeddings != keep)
            throw new ArgumentException(keep ? "Kept mixtures need the MLE table with its component embeddings." : "The MLE table must hold clusters and weights only.", nameof(mle));
        var clock = Stopwatch.StartNew();
        int users = testUsers.Length;
        // Every test user's clusters and weights first: the result keeps them and the sample is chosen on them before any
        // block; each block then smooths its users again with their embeddings (the weights part of that is cheap).
        var smoothed = KnnSmoother.SmoothMixtures(train, clustering, itemEmbeddings, mle, testUsers, neighbors, settings.Lambda, threads, componentEmbeddings: keep);
        var stream = new MixtureRowStream(mle, smoothed, users) { SmoothingSeconds = ProtocolEvaluator.Lap(clock) };
        if (!keep && settings.MixtureSampleUsers > 0)
        {
            stream.SampleUsers = MixtureSample.Select(testUsers, train, smoothed, settings.MixtureSampleUsers);
            stream.MleSample = MixtureTable.ForUsers(train.UserCount, stream.SampleUsers, settings.Components, itemEmbeddings.Dimension);
            stream.SmoothedSample = MixtureTable.ForUsers(train.UserCount, stream.SampleUsers, settings.Components, itemEmbeddings.Dimension);
        }
        var quotas = new ClusterQuotaRetriever(itemEmbeddings, clustering, skipZeroRows: false);
        var roundRobin = settings.KnnRoundRobin ? new RoundRobinRetriever(itemEmbeddings) : null;
        if (roundRobin != null) stream.RoundRobinLists = [];
        int blockUsers = keep ? Math.Max(1, users) : settings.MixtureBlockUsers;
        for (int start = 0; start < users; start += blockUsers)
        {
            int count = Math.Min(blockUsers, users - start);
            var block = new ArraySegment<int>(testUsers, start, count);
            bool whole = count == users;
            clock.Restart();
            var blockMle = keep ? mle : MixtureBuilder.BuildMleOf(train, clustering, itemEmbeddings, settings.Components, block, threads);
            stream.MixtureSeconds += ProtocolEvaluator.Lap(clock);
            var blockSmoothed = keep ? smoothed
                : KnnSmoother.SmoothMixtures(train, clustering, itemEmbeddings, mle, block, whole ? neighbors : neighbors.Rows(start, count), settings.Lambda, threads,
                    componentEmbeddings: true);
            stream.SmoothingSeconds += ProtocolEvaluator.Lap(clock);
            var fallback = whole ? unimodal : unimodal.Rows(start, count);
            Gather(stream.MixtureLists, cutoffs, quotas.Retrieve(blockMle, block, train, cutoffs, settings.Alpha, fallback, threads), start, users);
            Gather(stream.KnnLists, cutoffs, quotas.Retrieve(blockSmoothed, block, train, cutoffs, settings.Alpha, fallback, threads), start, users);
            stream.QuotaSeconds += ProtocolEvaluator.Lap(clock);
            if (roundRobin != null)
            {
                Gather(stream.RoundRobinLists!, cutoffs, roundRobin.Retrieve(blockSmoothed, block, train, cutoffs, threads), start, users);
                stream.RoundRobinSeconds += ProtocolEvaluator.Lap(clock);
            }
            scorer.FitMixtures(blockMle, start, count, stream.MleFits);
            scorer.FitMixtures(blockSmoothed, start, count, stream.SmoothedFits);
            foreach (int user in stream.SampleUsers)
            {
                // Test users are ascending: the block holds those from testUsers[start] to testUsers[start + count - 1].
                if (user < testUsers[start] || user > testUsers[start + count - 1]) continue;
                stream.MleSample!.CopyRow(blockMle, user, user);
                stream.SmoothedSample!.CopyRow(blockSmoothed, user, user);
            }
            stream.FitSeconds += ProtocolEvaluator.Lap(clock);
        }
        return stream;
    }

    /// <summary>Writes one block's lists (one per cutoff) into the whole lists, made at the block lists' capacity on first use.</summary>
    private static void Gather(Dictionary<int, RankedLists> whole, int[] cutoffs, RankedLists[] block, int start, int users)
    {
        for (int c = 0; c < cutoffs.Length; c++)
        {
            if (!whole.TryGetValue(cutoffs[c], out var lists))
            {
                if (block[c].QueryCount == users)
                {
                    whole[cutoffs[c]] = block[c];
                    continue;
                }
                whole[cutoffs[c]] = lists = new RankedLists(users, block[c].Capacity);
            }
            block[c].CopyRowsTo(lists, start);
        }
    }
}
