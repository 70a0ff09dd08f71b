using System.Buffers;
using System.Security.Cryptography;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The files a serving directory serves from and their SHA-256 (<see cref="OnnxServingManifest.FileSha256"/>): recorded
/// when the manifest is written, verified when a scorer opens the directory, so that a damaged or partly copied file is
/// refused by name rather than served (a table whose bytes changed still parses, and ONNX Runtime serves it).
/// </summary>
internal static class OnnxServedFiles
{
    /// <summary>The export's tables beside the graphs, recorded where present.</summary>
    private static readonly string[] Tables =
        [MultiInterestModel.UserIdsFileName, MultiInterestModel.ItemIdsFileName, MultiInterestModel.TrainingHistoryFileName, MultiInterestModel.PopularItemsFileName];

    /// <summary>
    /// The SHA-256 of each file of <paramref name="directory"/> that <paramref name="manifest"/> serves from: the graphs it
    /// lists, an MMR directory's interest term, the id and history tables, and its parts' manifests (each part records its
    /// own files), those present.
    /// </summary>
    public static Dictionary<string, string> Record(OnnxServingManifest manifest, string directory)
    {
        var recorded = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in Names(manifest))
        {
            string path = Path.Combine(directory, name);
            if (File.Exists(path)) recorded[name] = Sha256(path);
        }
        return new Dictionary<string, string>(recorded, StringComparer.Ordinal);
    }

    /// <summary>
    /// The names <see cref="Record"/> considers, relative to the directory: each graph with its side file (ONNX external data,
    /// <see cref="OnnxModelFile.SideFileName"/>), which <see cref="Record"/> finds only beside a graph written with one.
    /// </summary>
    private static IEnumerable<string> Names(OnnxServingManifest manifest)
    {
        foreach (string graph in Graphs(manifest))
        {
            yield return graph;
            yield return OnnxModelFile.SideFileName(graph);
        }
        foreach (string table in Tables) yield return table;
        foreach (string part in manifest.PartDirectories()) yield return $"{part}/{OnnxServingDirectory.ManifestFileName}";
    }

    /// <summary>The model files the manifest lists, and an MMR directory's interest term.</summary>
    private static IEnumerable<string> Graphs(OnnxServingManifest manifest)
    {
        OnnxServingGraph?[] graphs = [manifest.Encoder, manifest.QuotaScorer, manifest.UnimodalScorer, manifest.ConditionModel, manifest.VectorScorer,
            manifest.RoundRobinScorer, manifest.HistoryEncoder, manifest.HistoryQuotaScorer, manifest.PoolScorer, manifest.PoolLists];
        foreach (var graph in graphs)
            if (!string.IsNullOrEmpty(graph?.File)) yield return graph.File;
        if (manifest.Retrieval == OnnxServingManifest.MmrRetrieval && manifest.InterestWeight > 0) yield return OnnxMmrScorer.InterestsFileName;
    }

    /// <summary>
    /// Verifies every file the manifest of <paramref name="directory"/> records against its SHA-256. A directory exported
    /// before <see cref="OnnxServingManifest.ChecksumFormatVersion"/> records none and is opened unverified, said once per
    /// session factory through its log. Within an opening (<see cref="OnnxVerifiedOpening"/>), the manifest is read once (its
    /// signature verified and its parse made from those bytes), and each file a scorer reads is hashed as it is read into
    /// memory and kept there, so that the scorer serves the bytes verified here.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// A recorded file is missing or its contents changed; or <paramref name="sessions"/> trusts a signing key and the directory
    /// carries no signature it verifies, or is of a format before checksums (its signature would cover no file).
    /// </exception>
    /// <param name="directory">The serving directory.</param>
    /// <param name="sessions">The factory whose trusted key, if any, must have signed the directory; its log says what is unverified.</param>
    /// <param name="manifestOnly">
    /// Verify the manifest (its signature and seal) alone: the caller reads the few recorded files it needs through the opening
    /// (<see cref="OnnxVerifiedOpening.ReadAllBytes"/>), which hashes each against the record as it reads it, and nothing else.
    /// </param>
    /// <param name="deferSideFiles">
    /// Within an opening, leave the side files to it (<see cref="OnnxVerifiedOpening.Defer"/>): the pass that reads a side
    /// file's tables hashes it, and the opening hashes the others before it ends (<see cref="OnnxDirectoryOpening.Consistent"/>
    /// does), so that each is hashed once. Otherwise, and outside an opening, every side file is hashed here.
    /// </param>
    public static void Verify(string directory, OnnxSessionFactory? sessions, bool manifestOnly = false, bool deferSideFiles = false)
    {
        var opening = OnnxVerifiedOpening.Current;
        string manifestPath = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
        byte[]? bytes = null;
        byte[] ReadManifest() => bytes ??= opening != null ? opening.ReadManifest(directory) : File.ReadAllBytes(manifestPath);
        // The signature first: it vouches for the manifest, which vouches for every other file.
        if (sessions?.TrustedSigningKey is { } trusted) OnnxDirectorySignature.Verify(directory, trusted, ReadManifest);
        var manifest = OnnxServingManifest.Read(directory, ReadManifest);
        opening?.Add(directory, bytes!, manifest);
        if (manifest.FormatVersion < OnnxServingManifest.ChecksumFormatVersion)
        {
            // Signed all the same (Sign refuses such a directory, another tool need not): the signature covers the manifest alone.
            if (sessions?.TrustedSigningKey != null) throw SignedWithoutChecksums(directory, manifest.FormatVersion);
            sessions?.WarnOnce(Path.GetFullPath(directory), $"the ONNX serving directory '{directory}' (manifest format version {manifest.FormatVersion}"
                + (manifest.LibraryVersion != null ? $", written by Microsoft.ML.MultiInterest {manifest.LibraryVersion}" : "")
                + ") records no checksums of its files, so they are served unverified: export it again with this library to have every file checked at opening.");
            return;
        }
        if (manifest.FileSha256 == null)
            throw new InvalidDataException($"The ONNX serving manifest '{manifestPath}' (format version {manifest.FormatVersion}) records no file_sha256: it was edited or damaged. Export the directory again.");
        foreach (string name in manifest.FileSha256.Keys)
        {
            if (string.IsNullOrEmpty(name) || Path.IsPathRooted(name) || name.Split('/', '\\').Contains(".."))
                throw new InvalidDataException($"The ONNX serving manifest '{manifestPath}' records a checksum of '{name}', outside the directory: it was edited or damaged. Export the directory again.");
        }
        if (manifestOnly) return;
        foreach (var (name, recorded) in manifest.FileSha256)
        {
            string path = Path.Combine(directory, name);
            if (opening != null && ReadByScorers(name))
            {
                opening.ReadRecorded(path);
                continue;
            }
            if (opening != null && deferSideFiles && IsSideFile(name))
            {
                opening.Defer(path);
                continue;
            }
            string found = Recorded(path, directory, Sha256);
            if (!string.Equals(found, recorded, StringComparison.Ordinal)) throw Mismatch(path, directory, recorded, found);
        }
    }

    /// <summary>
    /// Whether a scorer reads the recorded file <paramref name="name"/> while it opens (a graph, the user id file, a part's
    /// manifest), so that an opening keeps its bytes. Side files are too large to keep: their tables come from the opening's
    /// one hashing pass over each (<see cref="OnnxVerifiedOpening.SideTables"/>). The other tables are read by no scorer, so
    /// they are hashed and left on disk.
    /// </summary>
    private static bool ReadByScorers(string name) =>
        !IsSideFile(name) && name is not (MultiInterestModel.ItemIdsFileName or MultiInterestModel.TrainingHistoryFileName or MultiInterestModel.PopularItemsFileName);

    /// <summary>Whether the recorded file <paramref name="name"/> is a graph's side file (ONNX external data).</summary>
    private static bool IsSideFile(string name) => name.EndsWith(OnnxServingDefaults.ExternalDataSuffix, StringComparison.Ordinal);

    /// <summary>
    /// <paramref name="read"/> of the recorded file <paramref name="path"/> of <paramref name="directory"/>, refused as
    /// <see cref="Missing"/> when the file is not there. The read itself is the test, not a look before it: a file removed
    /// between a look and the read (mid-opening) is refused by name too, not with a bare <see cref="FileNotFoundException"/>.
    /// </summary>
    internal static T Recorded<T>(string path, string directory, Func<string, T> read)
    {
        try
        {
            return read(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Missing(path, directory, e);
        }
    }

    /// <summary>The refusal of a recorded file <paramref name="path"/> of <paramref name="directory"/> that is missing.</summary>
    internal static InvalidDataException Missing(string path, string directory, Exception? inner = null) =>
        new($"The file '{path}' of the ONNX serving directory '{directory}' is missing, though {OnnxServingDirectory.ManifestFileName} "
            + "records it: the directory was copied in part or a file was removed. Copy the whole directory again, or export the directory again (ExportOnnx, or the CLI's export-onnx).", inner);

    /// <summary>The refusal of a file <paramref name="path"/> of <paramref name="directory"/> whose SHA-256 <paramref name="found"/> is not the one recorded.</summary>
    internal static InvalidDataException Mismatch(string path, string directory, string recorded, string found) =>
        new($"The file '{path}' of the ONNX serving directory '{directory}' does not match the SHA-256 {OnnxServingDirectory.ManifestFileName} "
            + $"records for it (recorded {Short(recorded)}, found {Short(found)}): it was changed or damaged after the export (an incomplete copy, a disk "
            + "error, an edit), and would be served as it is. Export the directory again (ExportOnnx, or the CLI's export-onnx), or copy it again whole from where it was exported.");

    /// <summary>The refusal, by a factory that trusts a key, of a directory of a format before checksums, whose signature covers no file.</summary>
    internal static InvalidDataException SignedWithoutChecksums(string directory, int formatVersion) =>
        new($"The ONNX serving directory '{directory}' (manifest format version {formatVersion}) records no checksums of its files, "
            + "so its signature covers none of them, and only what the trusted key signed is served (OnnxSessionFactory.TrustedSigningKey, recommend --trusted-key). "
            + "Export it again with this library, then sign it (OnnxDirectorySignature.Sign, or export-onnx --signing-key).");

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] + "..." : sha;

    /// <summary>
    /// Test seam: called with the path of each file hashed from disk in whole (<see cref="Sha256"/>, and a side file's pass,
    /// <see cref="OnnxSideFilePass.Read"/>), so that a test counts how often an opening hashes each side file. Flow-local.
    /// </summary>
    internal static readonly AsyncLocal<Action<string>?> Hashing = new();

    /// <summary>The SHA-256 of the file <paramref name="path"/>, lower-case hex, read in 1 MiB blocks (never the whole file at once).</summary>
    public static string Sha256(string path)
    {
        Hashing.Value?.Invoke(path);
        const int Block = 1 << 20;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Block);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            int read;
            while ((read = stream.Read(buffer, 0, Block)) > 0) hash.AppendData(buffer, 0, read);
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
