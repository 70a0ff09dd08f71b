using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest;

/// <summary>The ONNX export of a loaded model: one retrieval stage's serving directory, or a fusing model's sources and weights.</summary>
public sealed partial class MultiInterestModel
{
    /// <summary>
    /// Writes the ONNX serving graphs (encoder, quota scorer, unimodal scorer, see <see cref="OnnxServingDirectory"/>)
    /// for the <see cref="ServingStage"/>'s M and alpha into <paramref name="directory"/>, with
    /// <see cref="UserIdsFileName"/> and <see cref="ItemIdsFileName"/> mapping rows to raw ids, <see cref="TrainingHistoryFileName"/>
    /// with the items each user's lists exclude and <see cref="PopularItemsFileName"/> with the popular fallback of the users
    /// <see cref="UserIdsFileName"/> does not list, so ONNX Runtime serves the model without this library. A round-robin stage (<see cref="CandidateMethod.RoundRobin"/>) gets the encoder of the
    /// GraphEmbedding stage's components and the round-robin scorer instead (<see cref="OnnxServingDirectory.ExportRoundRobin"/>),
    /// whose per-component lists the client merges with <see cref="RoundRobinOnnxMerge"/> (<see cref="OnnxRoundRobinScorer"/> does it all);
    /// over a differentiable-clustering model also the DCM history encoder (<see cref="OnnxServingDirectory.HistoryEncoderFileName"/>),
    /// which serves a user known by its history only as <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/> does.
    /// </summary>
    /// <param name="directory">
    /// Created if needed: a new or empty directory, or one an earlier export wrote, finished or not (its files of the same
    /// names are overwritten; the files its verified manifest recorded that this export does not write, another retriever's
    /// graphs, are removed, and after an export that did not finish those each verified manifest still there records, the
    /// directory's and its part folders'; others kept: docs/onnx.md, "The directory"). A signature (<see cref="OnnxDirectorySignature.FileName"/>) stays beside a manifest
    /// this export writes only if it writes it byte for byte as it was (the same model exported again; never after an export
    /// that did not finish), and goes with a part's manifest the export removes: sign the new export again. A directory holding other files is refused, not written into. The directory is
    /// marked unfinished (<see cref="OnnxServingManifest.UnfinishedMarkerFileName"/>) until the stamped manifest is written
    /// last, so an interrupted or failed export is refused by serving, never taken for a complete one.
    /// </param>
    /// <param name="exclusionMask">True to give the scorers the seen-item mask input.</param>
    /// <param name="externalData">
    /// Where the graphs keep their tables (docs/onnx.md, "Size limit: 2 GB and external data"): <see cref="OnnxExternalData.Automatic"/>
    /// (default) writes each graph whole, as before external data existed, unless it would pass the 2 GB limit of one protobuf
    /// message, when its large tables go to a side file beside it (<c>&lt;graph&gt;.onnx.data</c>); <see cref="OnnxExternalData.Always"/>
    /// puts every graph's large tables in its side file. A table two graphs of a directory share (the item table of a unimodal
    /// directory's scorers, a quota directory's user and item tables) is stored once, in the unimodal scorer's side file, which
    /// the other graphs refer to. Side files are recorded in the manifest's checksums and verified at opening like the graphs;
    /// copy the directory whole.
    /// </param>
    /// <exception cref="IOException"><paramref name="directory"/> is a file, or holds files and no serving manifest of an earlier export.</exception>
    /// <exception cref="InvalidOperationException">The model lacks the embedding, clustering or mixture stage (round robin: the embedding stage's components).</exception>
    /// <exception cref="NotSupportedException">
    /// A history-interest MMR stage (<see cref="MmrRetrieverEstimator.Options.Interests"/> = <see cref="MmrInterests.History"/>,
    /// exported by <see cref="OnnxServingDirectory.ExportHistoryMmr"/> with its pool search, exact, Unimodal or clustered, and
    /// served by <see cref="OnnxHistoryMmrScorer"/>) recommends fewer item keys than the model has. (Conditional
    /// retrieval is exported as the quota graphs over the items grouped by condition, each user's conditions and queries
    /// precomputed, <see cref="OnnxServingDirectory.ExportConditional"/>; merged with implicit components, as that and a quota
    /// directory laid out together, <see cref="OnnxServingDirectory.ExportConditionalMerged"/>.) Or the served stage (or a
    /// fused source) reads a new user's history by the divide-and-conquer model over a subset of the item keys. (A unimodal
    /// or quota stage that reads a new user's history by the model, <see cref="HistoryVector.Encoder"/> or
    /// <see cref="HistoryMixture.DivideConquer"/>, is exported with the model's history encoder, manifest format version
    /// <see cref="OnnxServingManifest.DivideConquerHistoryFormatVersion"/>; so is an MMR stage with <see cref="HistoryVector.Encoder"/>,
    /// the encoder in its pool's unimodal directory, and a conditional stage with it, the encoder beside the condition model,
    /// in both parts of a merged directory.)
    /// </exception>
    /// <returns>The manifest written last into <paramref name="directory"/>, describing the graphs and files.</returns>
    public OnnxServingManifest ExportOnnx(string directory, bool exclusionMask = true, OnnxExternalData externalData = OnnxExternalData.Automatic)
    {
        // A blank name made a folder of spaces in the working directory: a path lost on its way, not a place to export to.
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        using var externalDataScope = ExternalDataPolicy.Enter(externalData);
        if (File.Exists(directory))
            throw new IOException($"'{directory}' is a file: ExportOnnx writes a directory of graphs and manifests there (created if needed).");
        if (FileAbove(directory) is { } file)
            throw new IOException($"'{directory}' cannot be made: '{file}', above it, is a file, not a folder. Give a directory whose existing part is folders.");
        // A directory holding other files and no earlier export is refused (OnnxEarlierExport). What the earlier export can be
        // proved to have written is read before this one touches anything: its files this export does not write are removed
        // once it has finished (another retriever's graphs would otherwise stay beside the new ones). The earlier export's
        // signatures: one beside a manifest this export does not write again byte for byte is removed when it ends
        // (OnnxExportScope), so is every one after an export that did not finish. The same scope marks the directory
        // unfinished before anything is touched and unmarks it last (OnnxExportMark, every exporter's): an interrupted or failed
        // export (a full disk, a kill) leaves a directory that serving refuses as unfinished and the next export accepts, never
        // one that mixes two models' graphs under a manifest, nor a manifest over missing files; the mark is held open, unshared,
        // so a second export into the directory is refused while this one runs. Written in place, so mounts, links, the
        // directory's permissions and the user's own files there stay as they were. Refused before any file is written (a model
        // the export cannot serve), the earlier export stays as it was, unmarked.
        using var signatures = OnnxExportScope.Enter(directory);
        CheckIdsWritable(directory, EmbeddingOf(FirstServedStage));
        // The earlier export's files this one did not write are removed, then the signatures judged, then the mark removed,
        // when the scope ends: no later export into the directory can have been signed yet.
        return signatures.Finished(ExportInto(directory, exclusionMask));
    }

    /// <summary>Writes the export into <paramref name="directory"/>: graphs, id and history files, then the manifest stamped with the stage it serves.</summary>
    private OnnxServingManifest ExportInto(string directory, bool exclusionMask)
    {
        var manifest = RankFusions.Count > 0 ? ExportFusionOnnx(directory, exclusionMask) : ExportStageOnnx(ServingStage, Live, directory, exclusionMask, source: false);
        // The graphs' writer leaves an unstamped manifest: taken away until the id files are there too.
        File.Delete(Path.Combine(directory, OnnxServingDirectory.ManifestFileName));
        WriteHistoryFiles(directory, FirstServedStage);
        // Stamped with the stage it serves, so that serving it with another model is caught (CheckOnnxDirectory).
        manifest.ModelStage = OnnxStageKey();
        manifest.Write(directory);
        return manifest;
    }

    /// <summary>
    /// Reads the manifest of an ONNX serving directory and checks that it was exported from this model, before anything is
    /// served from it: a directory of another model (another fit, retriever or settings) opens and runs without error, and
    /// would return that model's lists for this model's users.
    /// </summary>
    /// <param name="directory">A directory written by <see cref="ExportOnnx"/>.</param>
    /// <returns>The directory's manifest.</returns>
    /// <exception cref="FileNotFoundException">The directory has no manifest.</exception>
    /// <exception cref="InvalidDataException">
    /// The directory was exported from another model: its stage fingerprint (<see cref="OnnxServingManifest.ModelStage"/>)
    /// differs from this model's; or it has none while the model has one (an export from before the stamp, which cannot be
    /// checked); or, where the model has none, its item count or dimension (for an MMR or fusing model also its retrieval) differ.
    /// </exception>
    public OnnxServingManifest CheckOnnxDirectory(string directory)
    {
        var manifest = OnnxServingManifest.Read(directory);
        string? ours = OnnxStageKey();
        string Again(string what) => $"The ONNX directory '{directory}' was exported from another model ({what}): "
            + "export this model's graphs there again (ExportOnnx, or the CLI's export-onnx) or give another directory.";
        if (manifest.ModelStage != null && ours != null)
        {
            if (manifest.ModelStage != ours) throw new InvalidDataException(Again($"its stage {manifest.ModelStage}, this model's {ours}"));
            return manifest;
        }
        // A directory from before the stamp, beside a model that has one: another fit of the same items and dimension (another
        // seed) passes every other check and would be served as this model's lists.
        if (ours != null)
            throw new InvalidDataException($"The ONNX directory '{directory}' was exported before exports named the model they serve ({OnnxServingDirectory.ManifestFileName} "
                + "has no model_stage), so it cannot be checked against this model: export this model's graphs there again (ExportOnnx, or the CLI's export-onnx).");
        // A model from before the stamp: what both still say.
        var embedding = EmbeddingOf(FirstServedStage);
        string expected = RankFusions.Count > 0 ? OnnxServingManifest.RankFusionRetrieval : ServingStage.Method switch
        {
            CandidateMethod.Mmr when ServingStage.Settings.Interests == MmrInterests.History => OnnxServingManifest.HistoryMmrRetrieval,
            CandidateMethod.Mmr => OnnxServingManifest.MmrRetrieval,
            _ => manifest.Retrieval ?? "",
        };
        if ((manifest.Retrieval ?? "") != expected) throw new InvalidDataException(Again($"it serves {manifest.Retrieval ?? "cluster quotas"}, this model {expected}"));
        if (manifest.Items != embedding.ItemEmbeddings.KeyCount || manifest.Dimension != embedding.ItemEmbeddings.Dimension)
            throw new InvalidDataException(Again($"{manifest.Items:N0} items of dimension {manifest.Dimension}, this model {embedding.ItemEmbeddings.KeyCount:N0} of {embedding.ItemEmbeddings.Dimension}"));
        return manifest;
    }

    /// <summary>The fingerprint an export is stamped with: the serving stage's, or a fusion's sources and weights; null if any stage has none.</summary>
    private string? OnnxStageKey()
    {
        if (RankFusions.Count == 0) return ServingStage.StageId;
        var (stages, weights) = FusionStages();
        if (stages.Any(s => s.StageId == null)) return null;
        return "fusion:" + string.Join(",", stages.Select((s, l) => $"{s.StageId}*{weights[l].ToString("R", System.Globalization.CultureInfo.InvariantCulture)}"));
    }

    /// <summary>
    /// One retrieval stage's serving directory; <paramref name="live"/> gives its live tables (history MMR and conditional read
    /// them, and a stage that folds new users' histories in its fold-in). <paramref name="source"/>: whether the directory is a
    /// fusion's source, whose manifest is written here for the last time; the top directory's is written by
    /// <see cref="ExportInto"/> after the history files (each write hashes every served file, so not here too).
    /// </summary>
    private OnnxServingManifest ExportStageOnnx(SavedCandidates stage, Func<LiveRetriever> live, string directory, bool exclusionMask, bool source)
    {
        var manifest = ExportStageGraphs(stage, live, directory, exclusionMask);
        if (stage.Settings is { HistoryVector: HistoryVector.FoldIn, Interests: not MmrInterests.History }) RecordHistoryFoldIn(manifest, directory, live(), source);
        // A source's written again after the id files, so that it records their checksums too.
        else if (source) manifest.Write(directory);
        return manifest;
    }

    /// <summary>
    /// Records in the manifest of <paramref name="directory"/> (and of the parts whose scorers read the fresh histories: an MMR
    /// directory's pool, a merged conditional directory's two parts) the fold-in the live retriever reads a new user's history
    /// with, fitted values included; <paramref name="manifest"/> itself written only when <paramref name="writeOwn"/> (a fusion's
    /// source: <see cref="ExportInto"/> writes the top directory's last).
    /// </summary>
    private static void RecordHistoryFoldIn(OnnxServingManifest manifest, string directory, LiveRetriever live, bool writeOwn)
    {
        var objective = live.Settings.History();
        objective.MatchUserVectors = false; // a fresh history's vector is its fold-in itself
        int items = live.Tables.Items.Rows;
        void Record(OnnxServingManifest into, string where, bool write = true)
        {
            into.HistoryFoldIn = objective.Clone();
            into.HistoryFoldInItems = items;
            if (write) into.Write(where);
        }
        // The parts first: the directory's manifest records their manifests' checksums.
        foreach (string part in manifest.PartDirectories())
        {
            string path = Path.Combine(directory, part);
            Record(OnnxServingManifest.Read(path), path);
        }
        Record(manifest, directory, writeOwn);
    }

    /// <summary>The graphs and manifest of one retrieval stage's serving directory, by its method.</summary>
    private OnnxServingManifest ExportStageGraphs(SavedCandidates stage, Func<LiveRetriever> live, string directory, bool exclusionMask)
    {
        var embedding = EmbeddingOf(stage);
        // M capped at the items, as the stage's own lists are (an M beyond the catalogue is the whole catalogue).
        int m = Math.Min(stage.Candidates, embedding.ItemEmbeddings.KeyCount);
        if (stage.Method == CandidateMethod.Mmr && stage.Settings.Interests == MmrInterests.History) return ExportHistoryMmrOnnx(stage, live(), embedding, directory, exclusionMask);
        if (stage.Method == CandidateMethod.Conditional) return ExportConditionalOnnx(stage, live(), embedding, directory, exclusionMask);
        if (stage.Method == CandidateMethod.RoundRobin && stage.ComponentsFromMixtureStage)
        {
            // Over the kNN-Embed mixtures: every user row's components as the stage reads them, the item vectors as item components.
            var users = embedding.UserEmbeddings.DenseView();
            var overMixtures = OnnxServingDirectory.ExportMixtureRoundRobinOverKeys(users, KnnComponents([.. Enumerable.Range(0, users.Rows)]).Gather([.. Enumerable.Range(0, users.Rows)]),
                embedding.ItemEmbeddings.DenseView(), m, directory, exclusionMask, ItemAbsence.Mask(embedding.ItemEmbeddings));
            WriteIdFiles(directory, embedding);
            return overMixtures;
        }
        if (stage.Method == CandidateMethod.RoundRobin)
        {
            var mixture = RequireLearnedMixture(embedding);
            // A DCM stage also gets its history encoder, over the scorer's item rows (every item key, as item_ids.tsv lists them);
            // the keys without a vector (zero components) are masked in both.
            var dcm = stage.Dcm is { } c ? new DcmModel(mixture.ItemComponents, c.Seeds, c.Temperature, c.PriorWeight, c.Iterations, c.WeightExponent) : null;
            var learned = OnnxServingDirectory.ExportRoundRobinOverKeys(mixture, m, directory, exclusionMask, dcm, ItemAbsence.Mask(embedding.ItemEmbeddings));
            WriteIdFiles(directory, embedding);
            return learned;
        }
        if (stage.Method == CandidateMethod.Mmr) return ExportMmrOnnx(stage, live, embedding, directory, exclusionMask);
        if (stage.Method == CandidateMethod.Unimodal && (Clustering == null || Mixtures == null || !embedding.ItemEmbeddings.IsDense))
        {
            // A single-vector pipeline has no clusters or mixtures (and item keys without edges have no cluster): the unimodal
            // scorer alone.
            var items = embedding.ItemEmbeddings.DenseView();
            var unimodal = OnnxServingDirectory.ExportUnimodalOverKeys(embedding.UserEmbeddings.DenseView(), items, m, directory, exclusionMask,
                ItemAbsence.Mask(embedding.ItemEmbeddings), stage.Settings.HistoryVector == HistoryVector.Encoder ? HistoryModelOf(stage, live(), embedding) : null);
            WriteIdFiles(directory, embedding);
            return unimodal;
        }
        var (clustering, mixtures) = RequireMixturePath(embedding);
        var options = stage.Method == CandidateMethod.ClusterQuota ? stage.Settings.Quota(stage.Alpha) : new QuotaRetrievalOptions { Alpha = 1.0 };
        var (userTable, itemTable) = (embedding.UserEmbeddings.DenseView(), embedding.ItemEmbeddings.DenseView());
        var manifest = stage.Settings.ReadsByDivideConquer
            ? OnnxServingDirectory.Export(userTable, itemTable, clustering, mixtures, m, options, directory, exclusionMask, HistoryModelOf(stage, live(), embedding),
                mixtureByModel: stage.Settings.HistoryMixture == HistoryMixture.DivideConquer, vectorByModel: stage.Settings.HistoryVector == HistoryVector.Encoder)
            : OnnxServingDirectory.Export(userTable, itemTable, clustering, mixtures, m, options, directory, exclusionMask);
        WriteIdFiles(directory, embedding);
        return manifest;
    }

    /// <summary>
    /// Refuses a stage whose live tables hold fewer items than the item keys (those it was fitted with): the ONNX graphs index
    /// items by key. The message is <paramref name="stage"/> (what the stage does over the items), the counts, and the advice
    /// to serve it live, then <paramref name="advice"/>.
    /// </summary>
    private static void RequireEveryItemKey(LiveRetriever live, SavedGraphEmbedding embedding, string stage, string advice = "")
    {
        int items = live.Tables.ItemRowOf.Length, itemKeys = embedding.ItemEmbeddings.KeyCount;
        if (items != itemKeys)
            throw new NotSupportedException($"{stage} {items} of the {itemKeys} item keys (those it was fitted with), which the ONNX graphs, indexed by item key, "
                + $"cannot serve: serve it with CreateRecommender or RetrieveWithEngine{advice}.");
    }

    /// <summary>
    /// The divide-and-conquer model a stage reads a new user's history by (<see cref="HistoryMixture.DivideConquer"/>,
    /// <see cref="HistoryVector.Encoder"/>): its live retriever's (<see cref="LiveRetriever.HistoryModel"/>), the directory's
    /// history encoder.
    /// </summary>
    private static DivideConquerModel HistoryModelOf(SavedCandidates stage, LiveRetriever live, SavedGraphEmbedding embedding)
    {
        RequireEveryItemKey(live, embedding, $"The {stage.Method} stage writing '{stage.CandidatesColumnName}' reads a new user's history by the divide-and-conquer model over",
            ", or fit the stage on every item");
        // The live retriever's own model (built from the encoder tables it keeps; it refuses a stage without them).
        return live.HistoryModel ?? throw new InvalidOperationException("The stage reads histories by the divide-and-conquer model but its live retriever has none.");
    }

    /// <summary>
    /// The ONNX directory of MMR over the unimodal ranking (<see cref="OnnxServingDirectory.ExportMmr"/>): the pool's unimodal
    /// scorer (with <see cref="HistoryVector.Encoder"/>, the divide-and-conquer history encoder of <paramref name="live"/>'s
    /// model beside it, as a unimodal stage's directory has it) and, for multi-interest MMR, the kNN-Embed mixtures and item
    /// clusters of its PM-2 term.
    /// </summary>
    private OnnxServingManifest ExportMmrOnnx(SavedCandidates stage, Func<LiveRetriever> live, SavedGraphEmbedding embedding, string directory, bool exclusionMask)
    {
        var items = embedding.ItemEmbeddings.DenseView();
        // A pool larger than the catalogue holds the catalogue: the same lists with N = the item count.
        int pool = Math.Min(Math.Max(stage.Settings.MmrPoolSize, stage.Candidates), items.Rows);
        var (clustering, mixtures) = stage.Settings.InterestWeight > 0 ? RequireMixturePath(embedding) : (null, null);
        var manifest = OnnxServingDirectory.ExportMmrOverKeys(embedding.UserEmbeddings.DenseView(), items, Math.Min(stage.Candidates, pool), pool, stage.Settings.MmrLambda,
            stage.Settings.InterestWeight, mixtures, clustering, directory, exclusionMask, ItemAbsence.Mask(embedding.ItemEmbeddings),
            stage.Settings.HistoryVector == HistoryVector.Encoder ? HistoryModelOf(stage, live(), embedding) : null);
        WriteIdFiles(directory, embedding);
        return manifest;
    }

    /// <summary>
    /// The ONNX directory of a history-interest MMR stage, its pool exact, Unimodal or clustered (<see cref="OnnxServingDirectory.ExportHistoryMmr"/>):
    /// every user row's interests as the live tables compute them for a trained user, the stage's M, N, lambda and nu.
    /// </summary>
    private static OnnxServingManifest ExportHistoryMmrOnnx(SavedCandidates stage, LiveRetriever live, SavedGraphEmbedding embedding, string directory, bool exclusionMask)
    {
        var t = live.Tables;
        RequireEveryItemKey(live, embedding, "The history-interest MMR stage recommends");
        int[] users = [.. Enumerable.Range(0, embedding.UserEmbeddings.KeyCount)];
        var (interests, vectors) = live.HistoryInterestsOf(users, threads: 0);
        // A pool larger than the catalogue holds the catalogue: the same lists with N = the item count.
        int pool = Math.Min(Math.Max(t.Settings.MmrPoolSize, stage.Candidates), t.Items.Rows);
        var manifest = OnnxServingDirectory.ExportHistoryMmr(vectors, t.Items, interests, Math.Min(stage.Candidates, pool), pool,
            t.Settings.MmrLambda, t.Settings.InterestWeight, directory, exclusionMask, live.FreshHistoryOptions, t.Settings.PoolSearch == HistoryPoolSearch.Unimodal,
            t.Settings.PoolSearch == HistoryPoolSearch.Clustered ? live.HistoryMmr : null);
        WriteIdFiles(directory, embedding);
        return manifest;
    }

    /// <summary>
    /// The ONNX directory of a conditional stage (<see cref="OnnxServingDirectory.ExportConditional"/>): every user row's
    /// conditions and queries as the live tables compute them for a trained user (its training history's conditions, or the
    /// topics it follows), the items grouped by condition, the stage's M, alpha and head share, and the condition model with
    /// MaxConditions for users known by a fresh history (with <see cref="HistoryVector.Encoder"/>, the divide-and-conquer history
    /// encoder of <paramref name="live"/>'s model beside it, whose query is that history's vector); merged with implicit
    /// components, also their quota directory (<see cref="OnnxServingDirectory.ExportConditionalMerged"/>; the encoder in both parts).
    /// </summary>
    private static OnnxServingManifest ExportConditionalOnnx(SavedCandidates stage, LiveRetriever live, SavedGraphEmbedding embedding, string directory, bool exclusionMask)
    {
        var t = live.Tables;
        int userKeys = embedding.UserEmbeddings.KeyCount;
        RequireEveryItemKey(live, embedding, "The conditional stage recommends");
        int[] users = [.. Enumerable.Range(0, userKeys)];
        var queries = live.ConditionQueries(users, threads: 0);
        var vectors = t.UserVectors!.Gather(users, absentAsZero: true);
        // A stage reading a new user's vector by the divide-and-conquer encoder: the model's history encoder beside the condition model.
        var historyModel = stage.Settings.HistoryVector == HistoryVector.Encoder ? HistoryModelOf(stage, live, embedding) : null;
        // Merged with implicit components, whose clusters share items with the conditions: a directory per kind, laid out together.
        var manifest = stage.Settings.ImplicitShare > 0
            ? OnnxServingDirectory.WriteConditionalMerged(vectors, t.Items, t.Conditional!.Conditions, queries, t.Clustering!, t.Mixtures!.Gather(users),
                t.ListLength, t.Settings.Conditional(stage.Alpha), directory, exclusionMask, t.Conditional, t.Settings.MaxConditions, historyModel)
            : OnnxServingDirectory.WriteConditional(vectors, t.Items, t.Conditional!.Conditions, queries,
                t.ListLength, stage.Alpha, stage.Settings.HeadShare, directory, exclusionMask, t.Conditional, t.Settings.MaxConditions, historyModel);
        WriteIdFiles(directory, embedding);
        return manifest;
    }

    /// <summary>
    /// A fusing model's directory: each weighted source stage's own serving directory in <c>source0</c>, <c>source1</c>, ...
    /// and a manifest (<see cref="OnnxServingManifest.RankFusionRetrieval"/>) with their weights, which <see cref="OnnxFusionScorer"/>
    /// opens and fuses as <see cref="RankFusionTransformer"/> does.
    /// </summary>
    private OnnxServingManifest ExportFusionOnnx(string directory, bool exclusionMask)
    {
        var fusion = RankFusions[^1];
        var (stages, weights) = FusionStages();
        var sources = new List<OnnxFusionSource>();
        OnnxServingManifest? first = null;
        for (int l = 0; l < stages.Length; l++)
        {
            var stage = stages[l];
            string name = OnnxEarlierExport.FusionSourcePrefix + l.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var manifest = ExportStageOnnx(stage, () => LiveOf(stage), Path.Combine(directory, name), exclusionMask, source: true);
            first ??= manifest;
            sources.Add(new OnnxFusionSource { Directory = name, Weight = weights[l], Method = stage.Method.ToString(), Candidates = manifest.Candidates });
        }
        var embedding = EmbeddingOf(stages[0]);
        var fused = new OnnxServingManifest
        {
            Retrieval = OnnxServingManifest.RankFusionRetrieval,
            // M capped at the items, as every source's is: no fused list holds more.
            Candidates = Math.Min(fusion.Candidates, first!.Items),
            Users = first.Users,
            Items = first.Items,
            Components = sources.Count,
            Dimension = first.Dimension,
            ExclusionMask = exclusionMask,
            Sources = sources,
        };
        fused.Write(directory);
        WriteIdFiles(directory, embedding);
        return fused;
    }

    /// <summary>The nearest existing path above <paramref name="directory"/> when it is a file (then no folder can be made there), else null.</summary>
    private static string? FileAbove(string directory)
    {
        for (var above = Path.GetDirectoryName(Path.GetFullPath(directory)); !string.IsNullOrEmpty(above); above = Path.GetDirectoryName(above))
        {
            if (File.Exists(above)) return above;
            if (Directory.Exists(above)) return null;
        }
        return null;
    }
}
