using System.Text.Json;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>Reading a manifest: from its directory, or from the bytes an opening verified; parsed and checked (settings, seal).</summary>
public sealed partial class OnnxServingManifest
{
    /// <summary>Reads the manifest of the serving directory <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">The directory has no manifest.</exception>
    /// <exception cref="InvalidDataException">The manifest cannot be read (it starts with a byte-order mark, or is not valid JSON), does not match its seal, or is of another format version.</exception>
    /// <param name="directory">The serving directory holding the manifest file; not null or empty.</param>
    /// <returns>The manifest as written by the export.</returns>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null or empty.</exception>
    /// <exception cref="InvalidDataException">An export into the directory did not finish (<see cref="UnfinishedMarkerFileName"/> is there).</exception>
    public static OnnxServingManifest Read(string directory) => Read(directory, checkSeal: true);

    /// <summary>
    /// <see cref="Read(string)"/>; with <paramref name="checkSeal"/> false, a manifest that does not match its
    /// <see cref="ManifestSha256"/> is read all the same (to tell an earlier export an export may write over).
    /// </summary>
    internal static OnnxServingManifest Read(string directory, bool checkSeal) =>
        Read(directory, () => File.ReadAllBytes(Path.Combine(directory, OnnxServingDirectory.ManifestFileName)), checkSeal);

    /// <summary>
    /// <see cref="Read(string, bool)"/> of the manifest bytes <paramref name="read"/> gives, read once: those whose signature
    /// an opening verified, or those a verified manifest records (<see cref="OnnxVerifiedOpening"/>).
    /// </summary>
    internal static OnnxServingManifest Read(string directory, Func<byte[]> read, bool checkSeal = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string path = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
        if (File.Exists(Path.Combine(directory, UnfinishedMarkerFileName)))
            throw new InvalidDataException($"An ONNX export into '{directory}' did not finish ({UnfinishedMarkerFileName} is there: it is still running, or it was interrupted or failed): "
                + "its files may mix two exports. Wait for a running export to finish, else export again (ExportOnnx, or the CLI's export-onnx).");
        if (!File.Exists(path)) throw new FileNotFoundException($"No ONNX serving manifest at '{path}'.", path);
        return Parse(read(), path, checkSeal);
    }

    /// <summary>
    /// The manifest whose file <paramref name="path"/> held <paramref name="bytes"/>, checked as <see cref="Read(string, bool)"/>
    /// checks it.
    /// </summary>
    private static OnnxServingManifest Parse(byte[] bytes, string path, bool checkSeal = true)
    {
        OnnxServingManifest? manifest;
        List<string> missing;
        // Read as bytes and decoded as UTF-8 without dropping a byte-order mark: the seal covers the file as the export wrote it.
        RefuseByteOrderMark(bytes, path);
        string text = System.Text.Encoding.UTF8.GetString(bytes);
        try
        {
            // Parsed once: the fields it names are checked below, the manifest read from the same document.
            using var document = JsonDocument.Parse(text);
            manifest = document.Deserialize(Json);
            missing = MissingFields(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The ONNX serving manifest '{path}' is not valid JSON: {e.Message}", e);
        }
        if (manifest == null || manifest.FormatVersion < 1 || manifest.FormatVersion > CurrentFormatVersion)
        {
            string? writer = manifest?.LibraryVersion;
            throw new InvalidDataException($"The ONNX serving manifest '{path}' has format version {manifest?.FormatVersion}"
                + (writer != null ? $" (written by Microsoft.ML.MultiInterest {writer})" : "")
                + $"; this library ({MultiInterest.LibraryVersion.Current}) reads versions 1 to {CurrentFormatVersion}: serve it with the library that exported it"
                + (writer != null ? $" ({writer} or later)" : "") + ", or export it again with this one.");
        }
        // A manifest of version 2 or later names every field of its version, defaults and nulls included: a missing one is
        // damage, not a default of 0. (It lacks the fields added since, which read as their defaults: a field added raises the
        // version. Version 1 named only some.)
        missing.RemoveAll(f => FieldsAddedIn.TryGetValue(f, out int added) && added > manifest.FormatVersion);
        if (manifest.FormatVersion >= 2 && missing.Count > 0)
            throw new InvalidDataException($"The ONNX serving manifest '{path}' (format version {manifest.FormatVersion}) lacks {string.Join(", ", missing.Select(f => $"'{f}'"))}, "
                + "which every manifest of that version names: it was edited or damaged. Export the directory again.");
        if (manifest.Candidates < 1 || manifest.Users < 1 || manifest.Items < 1 || manifest.Components < 1 || manifest.Dimension < 1)
            throw new InvalidDataException($"The ONNX serving manifest '{path}' has a size below 1 (candidates, users, items, components, dimension).");
        CheckSettings(manifest, path);
        if (manifest.Retrieval == RankFusionRetrieval)
        {
            if (manifest.Sources is not { Count: > 0 } || manifest.Sources.Any(s => s == null || string.IsNullOrEmpty(s.Directory) || !(s.Weight > 0)))
                throw new InvalidDataException($"The ONNX serving manifest '{path}' is a rank-fusion directory without sources, or with a source lacking its directory or a positive weight.");
            if (checkSeal) CheckSeal(manifest, text, path);
            return manifest;
        }
        if (manifest.Retrieval is not (null or ClusterQuotaRetrieval or ConditionalRetrieval or ConditionalMergedRetrieval or HistoryMmrRetrieval or UnimodalRetrieval or MmrRetrieval
            or RoundRobinRetrieval))
            throw new InvalidDataException($"The ONNX serving manifest '{path}' has retrieval '{manifest.Retrieval}'; this library serves '{ClusterQuotaRetrieval}', "
                + $"'{ConditionalRetrieval}', '{ConditionalMergedRetrieval}', '{HistoryMmrRetrieval}', '{UnimodalRetrieval}', '{MmrRetrieval}', '{RoundRobinRetrieval}' and '{RankFusionRetrieval}'.");
        if ((manifest.HistoryEncoder != null && manifest.RoundRobinScorer == null) || manifest.HistoryQuotaScorer != null) CheckDivideConquerEncoder(manifest, path);
        if (manifest.Retrieval == RoundRobinRetrieval && manifest.RoundRobinScorer == null)
            throw new InvalidDataException($"The ONNX serving manifest '{path}' is a round-robin directory without its round_robin_scorer.");
        if (manifest.Retrieval == ConditionalMergedRetrieval && !(manifest.ImplicitShare > 0 && manifest.ImplicitShare <= 1))
            throw new InvalidDataException($"The ONNX serving manifest '{path}' is a merged conditional directory with implicit_share {manifest.ImplicitShare}, outside (0, 1].");
        if (manifest.Retrieval == HistoryMmrRetrieval && (manifest.PoolScorer == null || manifest.PoolSize < manifest.Candidates))
            throw new InvalidDataException($"The ONNX serving manifest '{path}' is a history-interest MMR directory without a pool scorer or with a pool ({manifest.PoolSize}) below candidates ({manifest.Candidates}).");
        if (manifest.Retrieval == HistoryMmrRetrieval && !manifest.UnimodalPool && manifest.PoolScorer!.Inputs?.Contains(HistoryMmrGraphs.InterestEmbeddingsName) != true)
            throw new InvalidDataException($"The ONNX serving manifest '{path}' is a history-interest MMR directory whose pool scorer takes no '{HistoryMmrGraphs.InterestEmbeddingsName}' "
                + "input, which only a Unimodal pool's does, but unimodal_pool is not set.");
        if (manifest.PoolLists != null && (manifest.Retrieval != HistoryMmrRetrieval || manifest.UnimodalPool || manifest.PoolListCount < 1
                || manifest.PoolScorer!.Inputs?.Contains(HistoryMmrGraphs.ListMaskInput) != true))
            throw new InvalidDataException($"The ONNX serving manifest '{path}' has a clustered pool's list scorer but is not a history-interest MMR directory "
                + $"whose pool scorer takes the '{HistoryMmrGraphs.ListMaskInput}' input over pool_list_count >= 1 lists.");
        if (manifest.HistoryFoldIn != null)
        {
            try
            {
                manifest.HistoryFoldIn.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new InvalidDataException($"The ONNX serving manifest '{path}' has an invalid history_fold_in: {e.Message}", e);
            }
            if (manifest.HistoryFoldIn.MatchUserVectors || manifest.HistoryFoldInItems < 1 || manifest.HistoryFoldInItems > manifest.Items)
                throw new InvalidDataException($"The ONNX serving manifest '{path}' has a history_fold_in with match_user_vectors set or history_fold_in_items "
                    + $"{manifest.HistoryFoldInItems} outside 1..{manifest.Items} (items): it was edited or damaged. Export the directory again.");
        }
        if (manifest.HeadSlots < 0 || manifest.HeadSlots > manifest.Candidates)
            throw new InvalidDataException($"The ONNX serving manifest '{path}' has head_slots {manifest.HeadSlots}, outside 0..{manifest.Candidates} (candidates).");
        // Last, so that a setting out of range is named as such; an edit within range is caught here.
        if (checkSeal) CheckSeal(manifest, text, path);
        return manifest;
    }
}
