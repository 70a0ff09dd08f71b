using System.Runtime.CompilerServices;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>The proved rankings behind the lists, for a scorer that lays lists out itself (a merged conditional stage).</summary>
public sealed partial class OnnxCandidateScorer
{
    /// <summary>
    /// Per user: its components (cluster or condition, weight) and each one's exact ranking inside its group, M deep, as the
    /// engine ranks a component (the user's exclusions only, no head), and its unimodal top M.
    /// </summary>
    /// <param name="users">Users (rows of the tables).</param>
    /// <param name="width">Components per user at most.</param>
    /// <param name="depth">M.</param>
    /// <param name="withFallback">Whether the unimodal top M is proved and kept too (one side of a merge needs it).</param>
    internal sealed class ComponentRankings(int users, int width, int depth, bool withFallback)
    {
        /// <summary>Whether <see cref="Fallback"/> holds the unimodal top M.</summary>
        public bool HasFallback { get; } = withFallback;

        /// <summary>Components per user at most (the encoder's m).</summary>
        public int Width { get; } = width;

        /// <summary>M, the deepest ranking.</summary>
        public int Depth { get; } = depth;

        public int[] Counts { get; } = new int[users];

        public int[] Clusters { get; } = new int[users * width];

        public double[] Weights { get; } = new double[users * width];

        public int[] RankCounts { get; } = new int[users * width];

        public int[] Items { get; } = new int[users * width * depth];

        public float[] Scores { get; } = new float[users * width * depth];

        public int[] FallbackCounts { get; } = new int[users];

        public int[] Fallback { get; } = new int[withFallback ? users * depth : 0];

        public float[] FallbackScores { get; } = new float[withFallback ? users * depth : 0];

        public Span<int> Ranking(int user, int component) => Items.AsSpan((user * Width + component) * Depth, Depth);

        public Span<float> RankingScores(int user, int component) => Scores.AsSpan((user * Width + component) * Depth, Depth);
    }

    /// <summary>The component rankings of trained <paramref name="users"/> (rows), by the encoder's mixtures and the quota scorer's candidates.</summary>
    internal ComponentRankings RankComponents(IReadOnlyList<int> users, BipartiteGraph? exclusions, bool withFallback = true)
    {
        using var inFlight = _calls.Enter(this);
        if (_encoder == null || _quotaScorer == null) throw new InvalidOperationException("The serving directory holds the unimodal scorer alone.");
        CheckArguments(users, exclusions);
        var into = new ComponentRankings(users.Count, Manifest.Components, Manifest.Candidates, withFallback);
        RunEncoded(users, exclusions, null, (batch, worker) => ServeRankings(batch, worker, into), withFallback);
        return into;
    }

    /// <summary>The component rankings of users known by fresh histories, represented as the live path represents them.</summary>
    internal ComponentRankings RankComponentsFromHistories(IReadOnlyList<IReadOnlyList<int>> histories, bool excludeHistory, IReadOnlyCollection<int>? excludeItems,
        bool withFallback = true) => Rankings(FreshRequest(histories, excludeHistory, null, excludeItems), withFallback);

    /// <summary>The component rankings of trained users who follow topics now (a conditional directory's).</summary>
    internal ComponentRankings RankComponentsFollowing(IReadOnlyList<int> users, IReadOnlyList<IReadOnlyList<string>> followedTopics, BipartiteGraph trainingHistory,
        BipartiteGraph? exclusions) => Rankings(FollowingRequest(users, followedTopics, trainingHistory, exclusions, null), withFallback: true);

    /// <summary>The component rankings of users known by fresh histories who follow topics now (a conditional directory's).</summary>
    internal ComponentRankings RankComponentsFollowingFromHistories(IReadOnlyList<IReadOnlyList<int>> histories, IReadOnlyList<IReadOnlyList<string>> followedTopics,
        bool excludeHistory, IReadOnlyCollection<int>? excludeItems) => Rankings(FreshFollowingRequest(histories, followedTopics, excludeHistory, excludeItems), withFallback: true);

    /// <summary>The component rankings of a request (an empty history gets no components and no fallback).</summary>
    private ComponentRankings Rankings(Represented request, bool withFallback)
    {
        using var inFlight = _calls.Enter(this);
        var into = new ComponentRankings(request.Entries.Length, FreshComponents, Manifest.Candidates, withFallback);
        RunRepresented(request, null, (batch, worker) => ServeRankings(batch, worker, into), withFallback);
        for (int q = 0; q < request.Entries.Length; q++)
            if (request.Empty?[q] == true) into.Counts[q] = into.FallbackCounts[q] = 0;
        return into;
    }

    /// <summary>Every component's ranking of every user of the batch, M deep, proved from ONNX Runtime's candidates (or scanned), and the unimodal top M.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ServeRankings(QuotaBatch b, Worker worker, ComponentRankings into)
    {
        int listLength = Manifest.Candidates, m = b.M, d = Manifest.Dimension, k = ComponentCandidates, kFallback = CatalogueCandidates;
        var userVectors = b.UserVectors;
        var clusters = b.Clusters;
        var queries = b.Queries;
        var weights = b.Weights;
        var candidateRows = b.CandidateRows;
        var candidateScores = b.CandidateScores;
        var fallbackRows = b.FallbackRows;
        var fallbackScores = b.FallbackScores;
        for (int q = 0; q < b.Batch; q++)
        {
            int position = b.Start + q, user = b.Users[position];
            int n = 0;
            while (n < m && clusters[q * m + n] >= 0) n++;
            into.Counts[position] = n;
            for (int j = 0; j < n; j++)
            {
                int slot = (q * m + j) * k, cluster = checked((int)clusters[q * m + j]);
                var scores = candidateScores.Slice(slot, k);
                int finite = OnnxRerank.Finite(scores);
                int count = worker.Rerank.Component(queries.Slice((q * m + j) * d, d), cluster, candidateRows.Slice(slot, k), scores, finite, Math.Min(listLength, finite),
                    user, b.Exclusions, default, worker.ComponentRanking(j), worker.ComponentRankingScores(j));
                count = Math.Min(count, listLength);
                worker.ComponentRanking(j)[..count].CopyTo(into.Ranking(position, j));
                worker.ComponentRankingScores(j)[..count].CopyTo(into.RankingScores(position, j));
                into.RankCounts[position * m + j] = count;
                into.Clusters[position * m + j] = cluster;
                into.Weights[position * m + j] = weights[q * m + j];
            }
            if (!into.HasFallback) continue;
            int fallbackCount = worker.Rerank.Catalogue(userVectors.Slice(q * d, d), user, fallbackRows.Slice(q * kFallback, kFallback), fallbackScores.Slice(q * kFallback, kFallback),
                b.Exclusions, worker.Fallback, worker.FallbackScores);
            worker.Fallback.AsSpan(0, fallbackCount).CopyTo(into.Fallback.AsSpan(position * listLength));
            worker.FallbackScores.AsSpan(0, fallbackCount).CopyTo(into.FallbackScores.AsSpan(position * listLength));
            into.FallbackCounts[position] = fallbackCount;
        }
    }
}
