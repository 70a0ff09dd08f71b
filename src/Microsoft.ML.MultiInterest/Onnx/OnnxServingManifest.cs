using System.Text.Json;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The <c>manifest.json</c> of a serving directory written by <see cref="OnnxServingDirectory"/>: the
/// sizes the graphs were exported for and, per graph, its file and input and output names, so that a
/// client in any language can drive the models without this library.
/// </summary>
public sealed partial class OnnxServingManifest
{
    /// <summary>
    /// The manifest layout this library writes; it reads this and every older one. Version 2 (library 1.1.0) is the first to
    /// name every field and the library that wrote it: the fields added while the version stayed 1 (<c>head_slots</c>,
    /// <c>query</c>, <c>retrieval</c> kinds, <c>pool_lists</c>, ...) were misread by older readers, which read version 1 only
    /// and so refuse version 2. Version 3 (library 1.2.0) adds <c>history_fold_in</c> and <c>history_fold_in_items</c>: a
    /// version-2 reader would serve such a directory's fresh histories by their mean. Version 4 (2026-12-06) adds <c>file_sha256</c>
    /// and <c>manifest_sha256</c> (<see cref="FileSha256"/>, <see cref="ManifestSha256"/>), which a version-3 reader would not verify.
    /// Version 5 (library 1.6.0) gives a quota or unimodal directory a <c>history_encoder</c> (<see cref="DivideConquerHistoryFormatVersion"/>).
    /// Version 6 (library 1.7.0) is a directory with a graph whose tables are ONNX external data (<see cref="ExternalDataFormatVersion"/>).
    /// A directory is written at the oldest version that holds it (<see cref="WrittenFormatVersion"/>, else 5 or 6), so that readers
    /// of version 4 keep serving every directory that does not need a later one.
    /// </summary>
    public const int CurrentFormatVersion = 6;

    /// <summary>
    /// The version of a directory with a side file (a graph past 2 GB, or an export with <see cref="OnnxExternalData.Always"/>):
    /// a reader before it finds no tables in the graph (its reader takes <c>raw_data</c> only) and refused the directory as
    /// "not written by this version", so it refuses the version instead, naming the library that wrote it.
    /// </summary>
    public const int ExternalDataFormatVersion = 6;

    /// <summary>The version a directory is written at unless it needs a later one: 4.</summary>
    public const int WrittenFormatVersion = 4;

    /// <summary>
    /// The manifest's JSON contract, generated at compile time (<see cref="OnnxServingManifestJson"/>): no reflection, so
    /// writing and reading a manifest also work in a trimmed or native-AOT application, where reflection-based
    /// System.Text.Json is switched off (PublishTrimmed sets JsonSerializerIsReflectionEnabledByDefault to false).
    /// </summary>
    private static System.Text.Json.Serialization.Metadata.JsonTypeInfo<OnnxServingManifest> Json => OnnxServingManifestJson.Default.OnnxServingManifest;

    /// <summary>The manifest layout version (<see cref="WrittenFormatVersion"/> unless the directory needs a later one, at most <see cref="CurrentFormatVersion"/>).</summary>
    [System.Text.Json.Serialization.JsonInclude]
    public int FormatVersion { get; internal set; } = WrittenFormatVersion;

    /// <summary>The package version of Microsoft.ML.MultiInterest that wrote the directory (null before format version 2).</summary>
    [System.Text.Json.Serialization.JsonInclude]
    public string? LibraryVersion { get; internal set; }

    /// <summary>M, the list length of both scorers.</summary>
    public int Candidates { get; init; }

    /// <summary>The quota exponent the encoder's quotas were computed with.</summary>
    public double Alpha { get; init; }

    /// <summary>The <see cref="Retrieval"/> of a directory of <see cref="ClusterQuotaRetriever"/>.</summary>
    public const string ClusterQuotaRetrieval = "cluster_quota";

    /// <summary>The <see cref="Retrieval"/> of a directory of <see cref="ConditionalRetriever"/>.</summary>
    public const string ConditionalRetrieval = "conditional";

    /// <summary>The <see cref="Retrieval"/> of an MMR directory (<see cref="OnnxServingDirectory.ExportMmr"/>): the pool's unimodal directory and the interest term, re-ranked by <see cref="OnnxMmrScorer"/>.</summary>
    public const string MmrRetrieval = "mmr";

    /// <summary>The <see cref="Retrieval"/> of a directory of the unimodal scorer alone (<see cref="OnnxServingDirectory.ExportUnimodal"/>): no encoder or quota scorer.</summary>
    public const string UnimodalRetrieval = "unimodal";

    /// <summary>The <see cref="Retrieval"/> of a fusing model's directory: its sources' directories and weights (<see cref="Sources"/>), fused by <see cref="OnnxFusionScorer"/>.</summary>
    public const string RankFusionRetrieval = "rank_fusion";

    /// <summary>
    /// The <see cref="Retrieval"/> of a conditional stage merged with implicit components
    /// (<see cref="OnnxServingDirectory.ExportConditionalMerged"/>): a conditional directory and a quota directory, whose
    /// component rankings <see cref="OnnxConditionalMergeScorer"/> lays out under one quota policy.
    /// </summary>
    public const string ConditionalMergedRetrieval = "conditional_merged";

    /// <summary>
    /// The <see cref="Retrieval"/> of a round-robin directory (<see cref="OnnxServingDirectory.ExportRoundRobin"/>, served by
    /// <see cref="OnnxRoundRobinScorer"/>; one written before 2026-12-03 has none and is told by its <see cref="RoundRobinScorer"/>).
    /// </summary>
    public const string RoundRobinRetrieval = "round_robin";

    /// <summary>The <see cref="Retrieval"/> of a directory of history-interest MMR (<see cref="HistoryInterestRetriever"/>, <see cref="OnnxServingDirectory.ExportHistoryMmr"/>).</summary>
    public const string HistoryMmrRetrieval = "history_mmr";

    /// <summary>
    /// What the directory serves: <see cref="ClusterQuotaRetrieval"/> (also when absent, in a directory written before
    /// 2026-12) for <see cref="ClusterQuotaRetriever"/>; <see cref="RoundRobinRetrieval"/> for round robin (absent before 2026-12-03); <see cref="ConditionalRetrieval"/>
    /// for <see cref="ConditionalRetriever"/> (<see cref="OnnxServingDirectory.ExportConditional"/>): the groups are conditions,
    /// an item may be in none (only the fill reaches it), and the hand-off's extra slots come after every component's quota.
    /// </summary>
    public string? Retrieval { get; init; }

    /// <summary>A fusing model's sources (<see cref="RankFusionRetrieval"/>), in fusion order; null in any other directory.</summary>
    public IReadOnlyList<OnnxFusionSource>? Sources { get; init; }

    /// <summary>History-interest MMR: N, how many best-scoring items each list is re-ranked from; 0 in other directories.</summary>
    public int PoolSize { get; init; }

    /// <summary>
    /// History-interest MMR: how a fresh history is split and folded in (the model's objective, fitted values included, without
    /// the per-user scaling), for <see cref="OnnxHistoryMmrScorer.RetrieveFromHistories"/>; null in other directories and in
    /// one exported without it.
    /// </summary>
    public HistoryInterestOptions? HistoryOptions { get; init; }

    /// <summary>History-interest MMR: lambda, the relevance weight of the re-ranking.</summary>
    public double MmrLambda { get; init; }

    /// <summary>History-interest MMR: nu, the weight of the proportionality term over the interests.</summary>
    public double InterestWeight { get; init; }

    /// <summary>
    /// History-interest MMR: true when the pool is the user vector's own list alone (<see cref="Engine.HistoryPoolSearch.Unimodal"/>),
    /// so the interests' candidates are not merged in; false (and absent) for the exact pool.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool UnimodalPool { get; init; }

    /// <summary>
    /// History-interest MMR with a clustered pool (<see cref="Engine.HistoryPoolSearch.Clustered"/>): the list scorer, each vector's
    /// scores against the inverted lists' centroids (<see cref="HistoryMmrGraphs.ListScoresOutput"/>), whose initializers keep the
    /// centroids; null for an exact or Unimodal pool. The pool scorer then takes the list mask (<see cref="HistoryMmrGraphs.ListMaskInput"/>).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public OnnxServingGraph? PoolLists { get; init; }

    /// <summary>A clustered pool's list count, L (with <see cref="PoolLists"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int PoolListCount { get; init; }

    /// <summary>A clustered pool's lists each interest probes, the top this many by centroid score (<see cref="Engine.HistoryPoolOptions.Probes"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int PoolProbes { get; init; }

    /// <summary>
    /// A clustered pool's lists the user's own vector probes (<see cref="Engine.HistoryPoolOptions.UserProbes"/>): 0 for its exact
    /// ranking of the catalogue; above 0 it searches the same lists as the interests.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int PoolUserProbes { get; init; }

    /// <summary>Whether a clustered pool also searches the lists of the user's excluded items (<see cref="Engine.HistoryPoolOptions.HistoryLists"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool PoolHistoryLists { get; init; }

    /// <summary>
    /// History-interest MMR's pool scorer (<see cref="HistoryMmrGraphs"/>): the encoder's vectors (and the mask) to each vector's
    /// top items, which <see cref="OnnxHistoryMmrScorer"/> merges and re-ranks; null in any other directory.
    /// </summary>
    public OnnxServingGraph? PoolScorer { get; init; }

    /// <summary>Whether <see cref="Retrieval"/> is <see cref="ConditionalRetrieval"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsConditional => Retrieval == ConditionalRetrieval;

    /// <summary>
    /// The unimodal head's share of the quota list (<see cref="Engine.QuotaRetrievalOptions.HeadShare"/>); 0 for none, and in a
    /// directory written before the head was exported (2026-12).
    /// </summary>
    public double HeadShare { get; init; }

    /// <summary>
    /// H, the quota list's head slots: it opens with the unimodal top H, which the components skip, and the encoder's quotas
    /// share out the other M − H slots; 0 for none.
    /// </summary>
    public int HeadSlots { get; init; }

    /// <summary>
    /// The query inside a component's cluster the encoder's queries were computed with (<see cref="QuotaQuery"/> name), and
    /// <see cref="Beta"/>: what <see cref="OnnxCandidateScorer.RetrieveClusterQuotaFromHistories"/> computes a fresh history's
    /// queries with. Null in other directories and in a quota directory written before 2026-12.
    /// </summary>
    public string? Query { get; init; }

    /// <summary>The user vector's weight in the <see cref="QuotaQuery.Blend"/> query (with <see cref="Query"/>).</summary>
    public double Beta { get; init; }

    /// <summary>U, the number of user rows.</summary>
    public int Users { get; init; }

    /// <summary>I, the number of item rows.</summary>
    public int Items { get; init; }

    /// <summary>C, the number of clusters.</summary>
    public int Clusters { get; init; }

    /// <summary>S, the size of the largest cluster (the padded width of the grouped item table).</summary>
    public int LargestCluster { get; init; }

    /// <summary>m, the components per user (padded).</summary>
    public int Components { get; init; }

    /// <summary>d, the embedding dimension.</summary>
    public int Dimension { get; init; }

    /// <summary>
    /// How many candidates beyond M the scorers' candidate outputs hold (<see cref="MixtureOnnxExporter.ComponentCandidateRowsOutput"/>:
    /// min(M + slack, S) per component; <see cref="UnimodalOnnxExporter.CandidateRowsOutput"/>: min(M + slack, I); the
    /// round-robin scorer's <see cref="RoundRobinOnnxExporter.ComponentRowsOutput"/>: min(K × C_d + slack, I × C_d)); 0 in a
    /// directory written before the scorers had candidate outputs, which <see cref="OnnxCandidateScorer"/> does not open
    /// (<see cref="OnnxRoundRobinScorer"/> does, and fetches every component's list with the engine instead).
    /// </summary>
    public int CandidateSlack { get; init; }

    /// <summary>Whether both scorers take the exclusion mask input.</summary>
    public bool ExclusionMask { get; init; }

    /// <summary>The encoder: user rows to the mixture tensors.</summary>
    public OnnxServingGraph Encoder { get; init; } = new();

    /// <summary>The quota scorer: the encoder's outputs (and the mask) to the cluster-quota lists.</summary>
    public OnnxServingGraph QuotaScorer { get; init; } = new();

    /// <summary>The unimodal scorer: user rows (and the mask) to the unimodal lists.</summary>
    public OnnxServingGraph UnimodalScorer { get; init; } = new();

    /// <summary>
    /// A conditional directory's trained condition model (<see cref="OnnxServingDirectory.ConditionModelFileName"/>: t_c, β_c and
    /// every item's condition, as initializers and outputs), from which <see cref="OnnxCandidateScorer.RetrieveClusterQuotaFromHistories"/>
    /// computes a fresh history's condition queries; null in other directories and in one written before 2026-12.
    /// </summary>
    public OnnxServingGraph? ConditionModel { get; init; }

    /// <summary>A merged conditional directory's share of the list weights given to the implicit components; 0 elsewhere.</summary>
    public double ImplicitShare { get; init; }

    /// <summary>The names of a conditional directory's conditions (topics), in condition order, with its condition model; null elsewhere.</summary>
    public IReadOnlyList<string>? ConditionNames { get; init; }

    /// <summary>A conditional directory's most conditions per user taken from a history (<see cref="ConditionalDefaults.MaxConditions"/>); 0 elsewhere.</summary>
    public int MaxConditions { get; init; }

    /// <summary>
    /// The vector scorer of a unimodal directory (<see cref="OnnxServingDirectory.ExportUnimodal"/>, also an MMR directory's
    /// pool): user vectors (and the mask) to the unimodal lists, for users known by a fresh history only
    /// (<see cref="OnnxCandidateScorer.RetrieveUnimodalFromHistories"/>); null in other directories and in one written before
    /// 2026-12. A quota directory ranks such vectors with its quota scorer's fallback instead.
    /// </summary>
    public OnnxServingGraph? VectorScorer { get; init; }

    /// <summary>
    /// The round-robin scorer of a learned-mixture directory (<see cref="OnnxServingDirectory.ExportRoundRobin"/>): the
    /// encoder's component embeddings (and the mask) to per-component nearest item components, merged by
    /// <see cref="RoundRobinOnnxMerge"/>; null in a quota directory.
    /// </summary>
    public OnnxServingGraph? RoundRobinScorer { get; init; }

    /// <summary>
    /// The DCM history encoder of a round-robin directory of a differentiable-clustering model (<see cref="DcmOnnxExporter"/>,
    /// written by <see cref="OnnxServingDirectory.ExportRoundRobin"/> when given the model's soft k-means): padded history item
    /// rows (the rows of the round-robin scorer and of the item id file) to the K interests and weights the scorer and merge
    /// take. In a quota or unimodal directory (format version 5) the divide-and-conquer encoder (<see cref="DivideConquerOnnxExporter"/>),
    /// whose outputs say how a fresh history is read: the mixture's three tensors, a fresh history's mixture by the model (its
    /// intent's top m clusters, weights and queries, which the quota scorer takes with quotas from the weights); <c>user_embedding</c>,
    /// its vector by the encoder's single query (the unimodal ranking, a quota list's head and fill). Null in any other directory,
    /// and in one written before the encoder was exported.
    /// </summary>
    public OnnxServingGraph? HistoryEncoder { get; init; }

    /// <summary>
    /// The quota scorer of users known by a fresh history, in a quota directory whose <see cref="HistoryEncoder"/> gives their
    /// mixture with more components than the trained users' (<see cref="Components"/>): the same graph as <see cref="QuotaScorer"/>
    /// taking the model's m components, so that the trained users' scorer is not widened to them. Null where the trained users'
    /// scorer takes the model's mixtures too (padded), in every other directory and before format version 5.
    /// </summary>
    public OnnxServingGraph? HistoryQuotaScorer { get; init; }

    /// <summary>
    /// A round-robin directory without a DCM history encoder (mixture embeddings, a kNN-Embed table) whose users known by a
    /// fresh history get one component, the mean of the history items' vectors (each item's vector the mean of its C_d
    /// components), as <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/> serves them (<see cref="OnnxRoundRobinScorer.RetrieveFromHistories"/>);
    /// false elsewhere and in one written before 2026-12.
    /// </summary>
    public bool HistoryMean { get; init; }

    /// <summary>
    /// How the scorers read a fresh history into the user's vector when the stage folds histories in
    /// (<see cref="RetrievalSettings.HistoryVector"/> = FoldIn; history-interest MMR says it in <see cref="HistoryOptions"/>): the
    /// implicit-ALS objective, fitted values included, without the per-user scaling. Null: the mean of the history items'
    /// vectors (every directory exported before format version 3, and stages that read histories by the mean).
    /// </summary>
    [System.Text.Json.Serialization.JsonInclude]
    public HistoryInterestOptions? HistoryFoldIn { get; internal set; }

    /// <summary>|I| of <see cref="HistoryFoldIn"/>'s penalty: the items the stage was fitted with (0 without it).</summary>
    [System.Text.Json.Serialization.JsonInclude]
    public int HistoryFoldInItems { get; internal set; }

    /// <summary>C_d, components per item of the round-robin scorer (0 in a quota directory).</summary>
    public int DestinationComponents { get; init; }

    /// <summary>
    /// The fitted stage the directory serves, as <see cref="MultiInterestModel.ExportOnnx"/> stamps it (a fingerprint of the
    /// stage's method, settings and lists; for a fusing model its sources' and weights), so that a directory can be matched to
    /// its model (<see cref="MultiInterestModel.CheckOnnxDirectory"/>). Null when exported by <see cref="OnnxServingDirectory"/>
    /// alone, or from a model saved before stages had fingerprints.
    /// </summary>
    [System.Text.Json.Serialization.JsonInclude]
    public string? ModelStage { get; internal set; }

    /// <summary>
    /// The file every export (<see cref="MultiInterestModel.ExportOnnx"/> and each <see cref="OnnxServingDirectory"/> export)
    /// writes into its directory before anything else, holds open unshared while it writes (a second export into the
    /// directory is refused) and removes after the manifest: while it is there, the directory is an unfinished export, which
    /// <see cref="Read(string)"/> refuses.
    /// </summary>
    public const string UnfinishedMarkerFileName = "EXPORT-UNFINISHED";

    /// <summary>
    /// The subdirectories this directory's scorer opens as serving directories of their own, each with its own manifest: a
    /// fusion's sources, an MMR directory's pool, a merged conditional directory's explicit and implicit halves; none for the
    /// other kinds.
    /// </summary>
    internal IReadOnlyList<string> PartDirectories() => Retrieval switch
    {
        RankFusionRetrieval => [.. Sources?.Select(s => s.Directory) ?? []],
        MmrRetrieval => [OnnxMmrScorer.PoolDirectoryName],
        ConditionalMergedRetrieval => [OnnxConditionalMergeScorer.ExplicitDirectoryName, OnnxConditionalMergeScorer.ImplicitDirectoryName],
        _ => [],
    };

    /// <summary>
    /// Writes this manifest into <paramref name="directory"/>, with the SHA-256 of the files it serves from as they are now
    /// (written before it) and sealed by the SHA-256 of its own text.
    /// </summary>
    internal void Write(string directory)
    {
        LibraryVersion = MultiInterest.LibraryVersion.Current;
        FileSha256 = OnnxServedFiles.Record(this, directory);
        if (FileSha256.Keys.Any(name => name.EndsWith(OnnxServingDefaults.ExternalDataSuffix, StringComparison.Ordinal)))
            FormatVersion = Math.Max(FormatVersion, ExternalDataFormatVersion);
        ManifestSha256 = Unsealed;
        string text = Seal(JsonSerializer.Serialize(this, Json));
        ManifestSha256 = SealEntry().Match(text).Groups[1].Value;
        string path = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
        // An earlier signature beside it stays only if these are the bytes it signed (OnnxExportScope).
        using (OnnxExportScope.Writing(path))
            File.WriteAllText(path, text);
    }
}

/// <summary>The source-generated serializer of <see cref="OnnxServingManifest"/>: snake_case names, indented, as the reflection-based options wrote before.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(OnnxServingManifest))]
internal sealed partial class OnnxServingManifestJson : System.Text.Json.Serialization.JsonSerializerContext;
