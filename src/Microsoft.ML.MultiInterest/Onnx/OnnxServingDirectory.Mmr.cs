using Microsoft.ML.MultiInterest.Engine;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>The serving directories of the MMR retrievers: over the unimodal ranking, and over history interests.</summary>
public static partial class OnnxServingDirectory
{
    /// <summary>
    /// Writes the serving directory of MMR over the unimodal ranking: the pool's unimodal directory (<see cref="ExportUnimodal"/>
    /// with M = N) in <see cref="OnnxMmrScorer.PoolDirectoryName"/>, and with an interest weight <see cref="OnnxMmrScorer.InterestsFileName"/>
    /// (each user's mixture clusters and weights, every item's cluster) for the PM-2 term; the manifest holds M, N, lambda and nu.
    /// <see cref="OnnxMmrScorer"/> re-ranks the pool with the engine's MMR, exactly as <see cref="MmrRetriever"/> does.
    /// </summary>
    /// <param name="users">User embeddings; row r is user row r.</param>
    /// <param name="items">Item embeddings; returned item rows index this table.</param>
    /// <param name="candidates">M: 1 to <paramref name="poolSize"/>.</param>
    /// <param name="poolSize">N, the unimodal top N re-ranked: M to the number of items.</param>
    /// <param name="lambda">MMR relevance weight in [0, 1].</param>
    /// <param name="interestWeight">nu, at least 0 (0 = plain MMR, no interest graph).</param>
    /// <param name="mixtures">With nu above 0: the users' mixtures, one row per user row; else null.</param>
    /// <param name="clustering">With nu above 0: the item clusters the mixtures refer to; else null.</param>
    /// <param name="directory">The directory to write into.</param>
    /// <param name="exclusionMask">True to give the pool's scorer the exclusion mask input.</param>
    /// <param name="externalData">
    /// Where the graphs keep their tables: <see cref="OnnxExternalData.Automatic"/> (default) writes each graph whole unless it
    /// would pass 2 GB; <see cref="OnnxExternalData.Always"/> puts every graph's large tables in its side file (<c>&lt;graph&gt;.onnx.data</c>).
    /// </param>
    /// <returns>The manifest that was written.</returns>
    public static OnnxServingManifest ExportMmr(EmbeddingMatrix users, EmbeddingMatrix items, int candidates, int poolSize, double lambda, double interestWeight,
        MixtureTable? mixtures, ItemClustering? clustering, string directory, bool exclusionMask = false, OnnxExternalData externalData = OnnxExternalData.Automatic)
    {
        using var externalDataScope = ExternalDataPolicy.Enter(externalData);
        using var signatures = OnnxExportScope.Enter(directory);
        return signatures.Finished(ExportMmrOverKeys(users, items, candidates, poolSize, lambda, interestWeight, mixtures, clustering, directory, exclusionMask, itemAbsence: null));
    }

    /// <summary>
    /// <see cref="ExportMmr"/> over a table indexed by item key, with <paramref name="itemAbsence"/> (<see cref="ItemAbsence.Mask"/>):
    /// the rows of <paramref name="items"/> that hold no item, which the pool never takes; null when every row is an item. With
    /// <paramref name="historyModel"/> (a stage with <c>HistoryVector = Encoder</c>) the pool is the unimodal directory with that
    /// model's history encoder (<see cref="ExportUnimodalWithDivideConquerEncoder"/>'s, written by the same code), so that a fresh
    /// history's pool is ranked by the encoder's query; the MMR manifest is then of format version
    /// <see cref="OnnxServingManifest.DivideConquerHistoryFormatVersion"/> too, as its pool's.
    /// </summary>
    internal static OnnxServingManifest ExportMmrOverKeys(EmbeddingMatrix users, EmbeddingMatrix items, int candidates, int poolSize, double lambda, double interestWeight,
        MixtureTable? mixtures, ItemClustering? clustering, string directory, bool exclusionMask, float[]? itemAbsence, DivideConquerModel? historyModel = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(items);
        CheckMmr(items, candidates, poolSize, lambda, interestWeight);
        if (interestWeight > 0)
        {
            ArgumentNullException.ThrowIfNull(mixtures);
            ArgumentNullException.ThrowIfNull(clustering);
            if (mixtures.UserCount != users.Rows) throw new ArgumentException($"The mixtures have {mixtures.UserCount} users, the embeddings {users.Rows}.", nameof(mixtures));
            if (clustering.ItemCount != items.Rows) throw new ArgumentException($"The clustering covers {clustering.ItemCount} items, the embeddings {items.Rows}.", nameof(clustering));
        }
        var pool = ExportUnimodalOverKeys(users, items, poolSize, Path.Combine(directory, OnnxMmrScorer.PoolDirectoryName), exclusionMask, itemAbsence, historyModel);
        int m = 1;
        if (interestWeight > 0)
        {
            m = Math.Max(1, mixtures!.MaxComponents);
            var clusters = new long[users.Rows * m];
            var weights = new double[users.Rows * m];
            clusters.AsSpan().Fill(PaddedMixtures.NoCluster);
            for (int u = 0; u < users.Rows; u++)
                for (int j = 0; j < mixtures.ComponentCount(u); j++)
                {
                    clusters[u * m + j] = mixtures.Clusters(u)[j];
                    weights[u * m + j] = mixtures.Weights(u)[j];
                }
            var axis0 = OnnxAttributes.Int("axis", 0);
            var graph = new OnnxGraphBuilder("mmr_interests")
                .AddInput(UserRowsInput, Proto.TensorProto.Types.DataType.Int64, [null])
                .AddInitializer("cluster_table", [users.Rows, m], clusters)
                .AddInitializer(OnnxTensors.Double("weight_table", [users.Rows, m], weights))
                .AddInitializer(OnnxMmrScorer.ItemClusterTableName, [items.Rows], clustering!.Assignments.ToArray().Select(c => (long)c).ToArray())
                .AddNode("Gather", ["cluster_table", UserRowsInput], [MixtureClustersName], axis0)
                .AddNode("Gather", ["weight_table", UserRowsInput], [MixtureWeightsName], axis0)
                .AddOutput(MixtureClustersName, Proto.TensorProto.Types.DataType.Int64, [null, m])
                .AddOutput(MixtureWeightsName, Proto.TensorProto.Types.DataType.Double, [null, m])
                .KeepAsOutput(OnnxMmrScorer.ItemClusterTableName, Proto.TensorProto.Types.DataType.Int64, [items.Rows])
                .Build($"MMR interest term: {users.Rows} users' mixtures (up to {m} components) over {clustering.ClusterCount} item clusters.");
            Write(graph, directory, OnnxMmrScorer.InterestsFileName);
        }
        var manifest = new OnnxServingManifest
        {
            // A pool with the history encoder needs a reader of version 5: the MMR directory says so too (OnnxMmrScorer checks it).
            FormatVersion = pool.HistoryEncoder != null ? OnnxServingManifest.DivideConquerHistoryFormatVersion : OnnxServingManifest.WrittenFormatVersion,
            Candidates = candidates,
            Retrieval = OnnxServingManifest.MmrRetrieval,
            PoolSize = poolSize,
            MmrLambda = lambda,
            InterestWeight = interestWeight,
            Users = pool.Users,
            Items = pool.Items,
            Clusters = interestWeight > 0 ? clustering!.ClusterCount : 0,
            Components = m,
            Dimension = pool.Dimension,
            ExclusionMask = exclusionMask,
            CandidateSlack = pool.CandidateSlack,
        };
        manifest.Write(directory);
        return manifest;
    }

    /// <summary>
    /// Writes the serving directory of history-interest MMR: <see cref="EncoderFileName"/> (user rows to the user's vector, its
    /// history interests with their shares, computed here for every user row), <see cref="PoolScorerFileName"/> (each vector's
    /// top items; <see cref="HistoryMmrGraphs"/>) and the manifest with N, lambda and nu. <see cref="OnnxHistoryMmrScorer"/>
    /// merges the vectors' lists into the pool and re-ranks it as <see cref="HistoryInterestRetriever"/> does, exactly.
    /// </summary>
    /// <param name="users">The users' own vectors; row r is user row r.</param>
    /// <param name="items">Item embeddings; returned item rows index this table.</param>
    /// <param name="interests">Every user row's history interests, in row order (<see cref="HistoryInterests.Build"/> over users 0..U-1).</param>
    /// <param name="candidates">M, the list length: 1 to the pool size.</param>
    /// <param name="poolSize">N, the best-scoring items each list is re-ranked from: M to the number of items.</param>
    /// <param name="lambda">MMR relevance weight in [0, 1].</param>
    /// <param name="interestWeight">nu, at least 0.</param>
    /// <param name="directory">The directory to write into.</param>
    /// <param name="exclusionMask">True to give the pool scorer the exclusion mask input (seen-item exclusion).</param>
    /// <param name="freshHistories">
    /// How a fresh history is split and folded in (without the per-user scaling), stored so that
    /// <see cref="OnnxHistoryMmrScorer.RetrieveFromHistories"/> serves users known by their history only; null to leave it out.
    /// The pool scorer then takes up to its <see cref="HistoryInterestOptions.MaxInterests"/> interests.
    /// </param>
    /// <param name="unimodalPool">
    /// True when the pool is the user vector's own list alone (<see cref="HistoryPoolSearch.Unimodal"/>): the pool scorer
    /// then ranks the catalogue with the user's vector only, and the interests only re-rank.
    /// </param>
    /// <param name="clusteredPool">
    /// The retriever over <paramref name="items"/> whose clustered pool (<see cref="HistoryPoolSearch.Clustered"/>) the directory
    /// serves, or null for the exact pool: its inverted lists go into <see cref="PoolListsFileName"/> (the list scorer and the
    /// centroids) and the pool scorer (each item's list, the list mask input), its probes into the manifest.
    /// </param>
    /// <param name="externalData">
    /// Where the graphs keep their tables: <see cref="OnnxExternalData.Automatic"/> (default) writes each graph whole unless it
    /// would pass 2 GB; <see cref="OnnxExternalData.Always"/> puts every graph's large tables in its side file (<c>&lt;graph&gt;.onnx.data</c>).
    /// </param>
    /// <returns>The manifest that was written (<see cref="OnnxServingManifest.Retrieval"/> = <see cref="OnnxServingManifest.HistoryMmrRetrieval"/>).</returns>
    public static OnnxServingManifest ExportHistoryMmr(EmbeddingMatrix users, EmbeddingMatrix items, HistoryInterests interests, int candidates, int poolSize,
        double lambda, double interestWeight, string directory, bool exclusionMask = false, HistoryInterestOptions? freshHistories = null, bool unimodalPool = false,
        HistoryInterestRetriever? clusteredPool = null, OnnxExternalData externalData = OnnxExternalData.Automatic)
    {
        using var externalDataScope = ExternalDataPolicy.Enter(externalData);
        using var signatures = OnnxExportScope.Enter(directory);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(interests);
        MixtureExportChecks.Together(users, items);
        if (interests.Users.Count != users.Rows || interests.Users.Where((u, r) => u != r).Any())
            throw new ArgumentException($"The interests must be those of user rows 0..{users.Rows - 1}, in order ({interests.Users.Count} users given).", nameof(interests));
        if (interests.Dimension != users.Dimension)
            throw new ArgumentException($"The interests have dimension {interests.Dimension}, the user vectors {users.Dimension}.", nameof(interests));
        CheckMmr(items, candidates, poolSize, lambda, interestWeight);
        users.ThrowIfNotFinite("user embeddings");
        items.ThrowIfNotFinite("item embeddings");
        int slots = Math.Max(1, Math.Max(interests.MaxInterests, freshHistories?.MaxInterests ?? 0));
        MixtureExportChecks.CheckSize("history-interest encoder", (double)users.Rows * users.Dimension * sizeof(float)
            + (double)users.Rows * slots * (users.Dimension * sizeof(float) + sizeof(double) + sizeof(float)));
        MixtureExportChecks.CheckSize("history-interest pool scorer", (double)items.Rows * items.Dimension * sizeof(float));
        freshHistories?.Validate();
        var lists = clusteredPool?.PoolIndex;
        if (clusteredPool != null && lists == null)
            throw new ArgumentException($"The retriever's pool search is {clusteredPool.PoolOptions.Search}, not Clustered: pass it only for a clustered pool.", nameof(clusteredPool));
        if (lists != null && unimodalPool) throw new ArgumentException("A Unimodal pool searches no lists: pass clusteredPool or unimodalPool, not both.", nameof(clusteredPool));
        if (lists != null && (lists.Items != items.Rows || lists.Dimension != items.Dimension))
            throw new ArgumentException($"The clustered pool indexes {lists.Items} items of dimension {lists.Dimension}, not these {items.Rows} of {items.Dimension}.", nameof(clusteredPool));
        if (freshHistories is { MatchUserVectors: true })
            throw new ArgumentException("A fresh history's interests are not scaled to a user vector: pass the options with MatchUserVectors false.", nameof(freshHistories));
        // At least one interest slot, so every tensor has a non-empty interest axis, and room for a fresh history's interests.
        interests = interests.Padded(Math.Max(1, Math.Max(interests.MaxInterests, freshHistories?.MaxInterests ?? 0)));

        Directory.CreateDirectory(directory);
        Write(HistoryMmrGraphs.BuildEncoder(users, interests), directory, EncoderFileName);
        // A Unimodal pool ranks with the user's own vector alone, which is the vector scorer's graph: the catalogue is scanned once per user.
        Write(unimodalPool ? UnimodalOnnxExporter.BuildVectorModel(items, poolSize, exclusionMask)
            : HistoryMmrGraphs.BuildPoolScorer(items, interests.MaxInterests, poolSize, exclusionMask, lists == null ? default : lists.ListOf, lists?.Lists ?? 0,
                userSearchesLists: lists is { UserProbes: > 0 }), directory, PoolScorerFileName);
        if (lists != null) Write(HistoryMmrGraphs.BuildListScorer(lists.Centroids, interests.MaxInterests), directory, PoolListsFileName);
        string[] mask = exclusionMask ? [HistoryMmrGraphs.ExclusionMaskInput] : [];
        string[] queries = unimodalPool ? [HistoryMmrGraphs.UserEmbeddingName]
            : lists != null ? [HistoryMmrGraphs.UserEmbeddingName, HistoryMmrGraphs.InterestEmbeddingsName, HistoryMmrGraphs.QueryMaskName, HistoryMmrGraphs.ListMaskInput]
            : [HistoryMmrGraphs.UserEmbeddingName, HistoryMmrGraphs.InterestEmbeddingsName, HistoryMmrGraphs.QueryMaskName];
        string[] outputs = unimodalPool ? [UnimodalOnnxExporter.CandidateRowsOutput, UnimodalOnnxExporter.CandidateScoresOutput]
            : [HistoryMmrGraphs.CandidateRowsOutput, HistoryMmrGraphs.CandidateScoresOutput];
        var manifest = new OnnxServingManifest
        {
            Candidates = candidates,
            Retrieval = OnnxServingManifest.HistoryMmrRetrieval,
            PoolSize = poolSize,
            MmrLambda = lambda,
            InterestWeight = interestWeight,
            UnimodalPool = unimodalPool,
            PoolLists = lists == null ? null : new OnnxServingGraph
            {
                File = PoolListsFileName,
                Inputs = [HistoryMmrGraphs.UserEmbeddingName, HistoryMmrGraphs.InterestEmbeddingsName],
                Outputs = [HistoryMmrGraphs.ListScoresOutput],
            },
            PoolListCount = lists?.Lists ?? 0,
            PoolProbes = lists?.Probes ?? 0,
            PoolUserProbes = lists?.UserProbes ?? 0,
            PoolHistoryLists = lists?.HistoryLists ?? false,
            HistoryOptions = freshHistories?.Clone(),
            Users = users.Rows,
            Items = items.Rows,
            Components = interests.MaxInterests,
            Dimension = items.Dimension,
            ExclusionMask = exclusionMask,
            CandidateSlack = OnnxServingDefaults.CandidateSlack,
            Encoder = new OnnxServingGraph
            {
                File = EncoderFileName,
                Inputs = [HistoryMmrGraphs.UserRowsInput],
                Outputs = [HistoryMmrGraphs.UserEmbeddingName, HistoryMmrGraphs.InterestEmbeddingsName, HistoryMmrGraphs.QueryMaskName,
                    HistoryMmrGraphs.InterestWeightsName, HistoryMmrGraphs.InterestCountsName],
            },
            PoolScorer = new OnnxServingGraph
            {
                File = PoolScorerFileName,
                Inputs = [.. queries, .. mask],
                Outputs = outputs,
            },
        };
        manifest.Write(directory);
        return signatures.Finished(manifest);
    }

    /// <summary>The re-ranking's settings: N within the catalogue, M within N, lambda in [0, 1], nu finite and non-negative.</summary>
    private static void CheckMmr(EmbeddingMatrix items, int candidates, int poolSize, double lambda, double interestWeight)
    {
        if (poolSize < 1 || poolSize > items.Rows)
            throw new ArgumentOutOfRangeException(nameof(poolSize), poolSize, $"The pool size must be between 1 and the number of items ({items.Rows}).");
        if (candidates < 1 || candidates > poolSize)
            throw new ArgumentOutOfRangeException(nameof(candidates), candidates, $"Candidates (M) must be between 1 and the pool size ({poolSize}).");
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "Lambda (MMR relevance weight) must lie in [0, 1].");
        if (!double.IsFinite(interestWeight) || interestWeight < 0)
            throw new ArgumentOutOfRangeException(nameof(interestWeight), interestWeight, "The interest weight (nu) must be finite and non-negative.");
    }
}
