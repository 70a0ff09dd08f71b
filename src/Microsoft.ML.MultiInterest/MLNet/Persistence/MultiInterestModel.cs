using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using Google.Protobuf;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// A model saved with <c>mlContext.Model.Save</c>, loaded back with its learned state typed: ML.NET's
/// <c>Model.Load</c> returns a chain of ML.NET transformers (this library's own transformer types cannot be
/// recreated by ML.NET), so this class also reads the tables of every library stage out of the zip: the
/// graph embeddings, the k-means centroids, the mixtures and the candidate lists.
/// </summary>
/// <remarks>
/// Thread-safe once loaded: its tables are read-only, the live tables are built once on first use, and
/// <see cref="RetrieveWithEngine"/>, a recommender made from it and cursors of <see cref="Transformer"/> may run concurrently
/// (docs/pipeline.md, "Thread safety"; measured with 8 to 32 threads on 11 models, no difference in 4.6 million
/// lists). <see cref="Dispose"/> may race them too, as a service swapping models with requests in flight does: cursors opened
/// before it read to their end, and <see cref="Transformer"/>'s sessions are released when the last of them is disposed.
/// </remarks>
public sealed partial class MultiInterestModel : IDisposable
{
    private MultiInterestModel(MLContext context, ITransformer transformer, DataViewSchema inputSchema, SavedGraphEmbedding? embedding,
        SavedClustering? clustering, SavedMixtures? mixtures, IReadOnlyList<SavedCandidates> candidates, IReadOnlyList<SavedRankFusion> fusions)
    {
        RankFusions = fusions;
        _transformer = new LoadedChain(transformer, context, candidates.Select(c => c.Serving?.HistoryColumn).OfType<string>());
        InputSchema = inputSchema;
        GraphEmbedding = embedding;
        Clustering = clustering;
        Mixtures = mixtures;
        CandidateLists = candidates;
    }

    /// <summary>
    /// Releases <see cref="Transformer"/>: its ONNX Runtime sessions and the copies of the stage graphs that ML.NET's
    /// OnnxTransformer writes to the context's temp directory (<c>MLContext.TempFilePath</c>), which stay on disk
    /// until then (about the size of the zip for every load). The tables read from the zip, <c>Recommend</c> and
    /// <c>ExportOnnx</c> keep working; <see cref="Transformer"/> throws an <see cref="ObjectDisposedException"/>, and so does
    /// new work on what was made from it (a view's new cursor, a prediction engine's <c>Predict</c>, a row-to-row mapper's
    /// row). Safe while other threads read it: cursors opened before read to their end, and the sessions and files are
    /// released when the last of them is disposed (at once when none is open), never under a running call. A chain from
    /// <c>mlContext.Model.Load</c> holds the same files but has no such guard: dispose it too
    /// (<c>(model as IDisposable)?.Dispose()</c>), once nothing reads it (docs/persistence.md, "Temporary files").
    /// </summary>
    public void Dispose()
    {
        // The model drops its chain too: with no cursor left open, nothing references the chain's parsed graphs any more.
        Interlocked.Exchange(ref _transformer, null)?.Dispose();
    }

    private LoadedChain? _transformer;

    /// <summary>
    /// The model as ML.NET loads it, behind a guard against <see cref="Dispose"/>: call <c>Transform</c> on data of <see cref="InputSchema"/>,
    /// or make a prediction engine of it (<c>mlContext.Model.CreatePredictionEngine</c>); <c>mlContext.Model.Save</c> writes ML.NET's
    /// loaded chain. Its cursors and prediction engines count as its users, so that <see cref="Dispose"/> never releases the sessions
    /// under them. Its retrieval stages look the saved lists up by user key and do not read a <c>History</c> column (a new user with a
    /// history gets the popular list; the first input holding one is warned of on the context's log); serve histories with
    /// <see cref="MultiInterestCatalog.CreateRecommender(MultiInterestModel)"/> (docs/persistence.md).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The model was disposed (its chain's sessions and temp files are released).</exception>
    public ITransformer Transformer => Volatile.Read(ref _transformer) ?? throw LoadedChain.Disposed();

    /// <summary>The input schema saved with the model.</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>
    /// The graph embedding stage, or null when the model has none (the first one when it has several, as a DCM pipeline
    /// warm-started from implicit ALS does; each retrieval stage is served with the embedding stage before it).
    /// </summary>
    public SavedGraphEmbedding? GraphEmbedding { get; }

    /// <summary>The spherical k-means stage, or null when the model has none (the first one when it has several).</summary>
    public SavedClustering? Clustering { get; }

    /// <summary>The kNN-Embed mixture stage, or null when the model has none (the first one when it has several).</summary>
    public SavedMixtures? Mixtures { get; }

    /// <summary>The candidate lists of every retrieval stage, in pipeline order.</summary>
    public IReadOnlyList<SavedCandidates> CandidateLists { get; }

    /// <summary>
    /// The rank-fusion stages (<see cref="RankFusionTransformer"/>), in pipeline order; empty for a model without one. A model
    /// that fuses lists is served by <see cref="MultiInterestCatalog.CreateRecommender(MultiInterestModel)"/> (the saved source
    /// stages' live lists, fused) and by <see cref="Transformer"/>'s Transform; <see cref="ServingStage"/> and the methods
    /// built on it (<c>RetrieveWithEngine</c>, <c>TrainingHistory</c>, <c>ExportOnnx</c>), which reproduce one retrieval stage, refuse it.
    /// </summary>
    public IReadOnlyList<SavedRankFusion> RankFusions { get; }

    /// <summary>Loads the model zip at <paramref name="path"/>.</summary>
    /// <param name="mlContext">The context that loads the ML.NET transformers (its ONNX session options apply).</param>
    /// <param name="path">A file written by <c>mlContext.Model.Save</c>.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable model zip (corrupt, truncated, or not a model).</exception>
    /// <exception cref="InvalidOperationException"><see cref="MLContext.GpuDeviceId"/> is set and ONNX Runtime could not use CUDA
    /// for the saved stages (no CUDA provider in its native library, or CUDA's libraries missing), or ONNX Runtime's native
    /// library is missing.</exception>
    /// <returns>The loaded model: its ML.NET chain and the library's saved stages.</returns>
    public static MultiInterestModel Load(MLContext mlContext, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException(Directory.Exists(path) ? $"Model file '{path}' is a directory: give the model zip that Model.Save wrote."
                : $"Model file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        return Load(mlContext, file, $"'{path}'");
    }

    /// <summary>Loads a model zip from <paramref name="stream"/> (read to its end; not closed).</summary>
    /// <param name="mlContext">The context that loads the ML.NET transformers (its ONNX session options apply).</param>
    /// <param name="stream">A readable stream holding what <c>mlContext.Model.Save</c> wrote.</param>
    /// <exception cref="InvalidDataException">The stream is not a readable model zip (corrupt, truncated, or not a model).</exception>
    /// <exception cref="InvalidOperationException"><see cref="MLContext.GpuDeviceId"/> is set and ONNX Runtime could not use CUDA
    /// for the saved stages (no CUDA provider in its native library, or CUDA's libraries missing), or ONNX Runtime's native
    /// library is missing.</exception>
    /// <returns>The loaded model: its ML.NET chain and the library's saved stages.</returns>
    public static MultiInterestModel Load(MLContext mlContext, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(stream);
        return Load(mlContext, stream, "The model stream");
    }

    private static MultiInterestModel Load(MLContext mlContext, Stream stream, string what)
    {
        var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        ITransformer transformer;
        DataViewSchema schema;
        var stages = new List<ModelProto>();
        try
        {
            bytes.Position = 0;
            stages.AddRange(ReadStages(bytes, what));
            (transformer, schema) = Onnx.OnnxRuntimeNative.Require("Loading a saved model", () => OrtNameClash.Retry(() =>
            {
                bytes.Position = 0;
                var loaded = mlContext.Model.Load(bytes, out var loadedSchema);
                return (loaded, loadedSchema);
            }, mlContext.TempFilePath));
        }
        catch (Exception e) when (mlContext.GpuDeviceId is int device && Onnx.OnnxRuntimeNative.CudaFailure(e) is { } cuda)
        {
            throw new InvalidOperationException(GpuDeviceIdMessage(what, device, cuda), e);
        }
        catch (Exception e) when (TemporaryCopyFailure(e, mlContext.TempFilePath) is { } failure)
        {
            throw new IOException(TemporaryCopyMessage(what, mlContext.TempFilePath, failure), e);
        }
        catch (Exception e) when (!e.Data.Contains(FormatVersionMark) && !Onnx.OnnxRuntimeNative.IsMissing(e) && CorruptModel(e) is { } cause)
        {
            throw new InvalidDataException($"{what} is not a readable ML.NET model zip (corrupt, truncated or not a model): {cause.Message}", e);
        }
        SavedGraphEmbedding? embedding = null;
        SavedClustering? clustering = null;
        SavedMixtures? mixtures = null;
        var candidates = new List<SavedCandidates>();
        var fusions = new List<SavedRankFusion>();
        SavedGraphEmbedding? latest = null;
        try
        {
            foreach (var stage in stages)
            {
                switch (SavedMetadata.Of(stage)[SavedModelFormat.StageKey])
                {
                    case SavedModelFormat.GraphEmbeddingStage:
                        latest = GraphEmbeddingPersistence.Read(stage);
                        embedding ??= latest;
                        break;
                    case SavedModelFormat.SphericalKMeansStage: clustering ??= SphericalKMeansPersistence.Read(stage); break;
                    case SavedModelFormat.MixtureStage: mixtures ??= MixturePersistence.Read(stage); break;
                    case SavedModelFormat.CandidateStage:
                        var saved = CandidatePersistence.Read(stage);
                        saved.Embedding = latest;
                        CheckAgainstEmbedding(saved);
                        CheckEncoderClusters(saved, clustering);
                        candidates.Add(saved);
                        break;
                    case SavedModelFormat.RankFusionStage: fusions.Add(RankFusionPersistence.Read(stage)); break;
                }
            }
        }
        catch (Exception e) when (CorruptModel(e) is { } cause)
        {
            // A table the stage's graph accepted but the typed reader cannot (such as present keys out of order, or tables of
            // one stage that disagree): the file was damaged or edited after it was saved.
            (transformer as IDisposable)?.Dispose();
            throw new InvalidDataException($"{what} holds a stage whose tables are inconsistent: {cause.Message} The file was damaged or edited after "
                + "it was saved: restore it, or refit the model.", e);
        }
        try
        {
            foreach (var saved in candidates.Select(c => c.Embedding).Append(embedding).OfType<SavedGraphEmbedding>().Distinct())
                SavedIdNames.Check(schema, saved, what);
        }
        catch (InvalidDataException)
        {
            (transformer as IDisposable)?.Dispose(); // its ONNX sessions and temp files: the caller never gets the model
            throw;
        }
        return new MultiInterestModel(mlContext, transformer, schema, embedding, clustering, mixtures, candidates, fusions);
    }

    /// <summary>
    /// Why a context with <see cref="MLContext.GpuDeviceId"/> set could not load a model: ML.NET's OnnxTransformer, which runs
    /// the saved stages, asks ONNX Runtime for CUDA and its FallbackToCpu does not catch every way that fails.
    /// </summary>
    private static string GpuDeviceIdMessage(string what, int device, Exception cuda) =>
        $"{what} could not be loaded: MLContext.GpuDeviceId is {device}, so ML.NET's OnnxTransformer, which runs the model's saved stages, "
        + $"asked ONNX Runtime for CUDA, and that failed ({cuda.GetType().Name}: {cuda.Message}), FallbackToCpu or not. Leave GpuDeviceId unset "
        + "(the saved stages are table lookups, which a GPU does not speed up), or call new OnnxSessionFactory(gpuDeviceId: "
        + $"{device}, log: ...).ApplyTo(mlContext) before loading, which uses CUDA where it works and otherwise the CPU, saying why. "
        + "CUDA needs the Microsoft.ML.OnnxRuntime.Gpu package instead of Microsoft.ML.OnnxRuntime, and CUDA's libraries on the host (docs/onnx.md, \"GPU hosts\").";

    /// <summary>Marks the refusal of a stage saved in a format version this library does not read: said as itself, not as a damaged zip.</summary>
    private const string FormatVersionMark = "MultiInterest.FormatVersion";

    private static InvalidDataException FormatVersion(string message)
    {
        var e = new InvalidDataException(message);
        e.Data[FormatVersionMark] = true;
        return e;
    }

    /// <summary>A retrieval stage's lists cover the users and items of the embedding stage before it (the same key columns).</summary>
    private static void CheckAgainstEmbedding(SavedCandidates saved)
    {
        if (saved.Embedding is not { } embedding) return;
        if (saved.UserCount != embedding.UserEmbeddings.KeyCount)
            throw new InvalidDataException($"The retrieval stage has lists over {saved.UserCount} user keys, the embedding stage before it vectors over "
                + $"{embedding.UserEmbeddings.KeyCount}.");
        if (saved.ItemNames.Count != embedding.ItemEmbeddings.KeyCount)
            throw new InvalidDataException($"The retrieval stage names {saved.ItemNames.Count} item keys, the embedding stage before it has vectors over "
                + $"{embedding.ItemEmbeddings.KeyCount}.");
    }

    /// <summary>
    /// The failure to write ML.NET's temporary copy of a stage (a full or read-only <paramref name="temporaryDirectory"/>, the
    /// context's <c>TempFilePath</c>), or null: an I/O error naming a path under that directory is not damage to the model, and
    /// is not reported as such.
    /// </summary>
    internal static Exception? TemporaryCopyFailure(Exception e, string temporaryDirectory)
    {
        string temp = Path.GetFullPath(temporaryDirectory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        for (Exception? x = e; x != null; x = x.InnerException)
            if (x is (IOException and not (EndOfStreamException or FileNotFoundException)) or UnauthorizedAccessException
                && x.Message.Contains(temp, StringComparison.Ordinal))
                return x;
        return null;
    }

    /// <summary>errno EMFILE (Linux, macOS), which .NET gives an <see cref="IOException"/> as its HResult: the process's open-file limit.</summary>
    private const int TooManyOpenFiles = 24;

    /// <summary>
    /// What a load whose temporary copy of a stage failed says: the process out of file handles (every loaded model keeps one
    /// open per ONNX stage, many tenants' models in one service reach the limit), or else the directory full or not writable.
    /// </summary>
    internal static string TemporaryCopyMessage(string what, string temporaryDirectory, Exception failure)
    {
        string copy = $"ML.NET copies its ONNX stages to the MLContext's TempFilePath ('{temporaryDirectory}'; by default the temp directory, TMPDIR)";
        if (failure is IOException && !OperatingSystem.IsWindows() && failure.HResult == TooManyOpenFiles)
            return $"{what} could not be loaded: the process has no file handle left. {copy}, and that copy failed ({failure.Message}). Each model "
                + "loaded (MultiInterestModel.Load, mlContext.Model.Load) keeps one file open per ONNX stage until it is disposed: dispose the models "
                + "no longer served, or raise the open-file limit (the hard one, ulimit -Hn: .NET raises the soft limit to it); the model itself may be sound.";
        return $"{what} could not be loaded: {copy}, and that copy failed ({failure.Message}). Free space there or point TempFilePath (or TMPDIR) "
            + "at a writable directory; the model itself may be sound.";
    }

    /// <summary>
    /// The exception that says the bytes are not a readable model, looking through the reflection wrappers ML.NET's
    /// loader adds (<see cref="System.Reflection.TargetInvocationException"/>); null for any other failure.
    /// </summary>
    internal static Exception? CorruptModel(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
        {
            // OverflowException: a damaged count or length in an ML.NET transform's own entry (e.g. a key mapping's) overflows its arithmetic.
            // NotSupportedException: ML.NET's binary loader reads a damaged schema entry's block sizes as a layout it does not support
            // (but not its PlatformNotSupportedException: a capability this process lacks, the file may be sound).
            if (x is InvalidDataException or IOException or FormatException or InvalidOperationException or InvalidProtocolBufferException or IndexOutOfRangeException
                or ArgumentException or EndOfStreamException or OverflowException or (NotSupportedException and not PlatformNotSupportedException)
                or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
                return x;
            if (x is not (System.Reflection.TargetInvocationException or AggregateException)) return null;
        }
        return null;
    }

    /// <summary>The ONNX graphs of this library's stages, in zip order (which is pipeline order).</summary>
    private static List<ModelProto> ReadStages(Stream zipBytes, string what)
    {
        var stages = new List<ModelProto>();
        using var zip = new ZipArchive(zipBytes, ZipArchiveMode.Read, leaveOpen: true);
        // The zip reader does not compare entries with their checksums: a damaged entry would reach ML.NET's loader as
        // garbage. Check every entry first, so damage is reported as such (and before any ONNX session is created).
        foreach (var entry in zip.Entries) CheckEntry(entry, what);
        foreach (var entry in zip.Entries.Where(e => e.Name == SavedModelFormat.OnnxEntryName).OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            using var content = entry.Open();
            using var buffer = new MemoryStream();
            content.CopyTo(buffer);
            var model = ParseOnnxEntry(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), entry.FullName, what);
            var meta = SavedMetadata.Of(model);
            if (!meta.ContainsKey(SavedModelFormat.StageKey)) continue;
            int version = meta.TryGetValue(SavedModelFormat.VersionKey, out string? text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : 0;
            if (version < 1 || version > SavedModelFormat.Version)
                throw FormatVersion($"{what}: stage '{meta[SavedModelFormat.StageKey]}' was saved in format version {text}"
                    + (meta.TryGetValue(SavedModelFormat.LibraryVersionKey, out string? writer) ? $" by Microsoft.ML.MultiInterest {writer}" : "")
                    + $", this library ({LibraryVersion.Current}) reads versions 1 to {SavedModelFormat.Version}; update Microsoft.ML.MultiInterest"
                    + (writer != null ? $" to {writer} or later." : "."));
            stages.Add(model);
        }
        return stages;
    }

    /// <summary>Reads <paramref name="entry"/> to its end and compares its length and CRC-32 with the zip's directory.</summary>
    private static void CheckEntry(ZipArchiveEntry entry, string what)
    {
        uint crc = IO.Crc32.Initial;
        long length = 0;
        var buffer = new byte[1 << 16];
        using (var content = entry.Open())
        {
            int n;
            while ((n = content.Read(buffer)) > 0)
            {
                crc = IO.Crc32.Update(crc, buffer.AsSpan(0, n));
                length += n;
                if (length > entry.Length) break;
            }
        }
        if (length != entry.Length || IO.Crc32.Final(crc) != entry.Crc32)
            throw new InvalidDataException($"{what}: zip entry '{entry.FullName}' does not match its recorded length or checksum: the file is damaged.");
    }

    /// <summary>ML.NET stores an ONNX model as a 4-byte little-endian length followed by the protobuf bytes.</summary>
    private static ModelProto ParseOnnxEntry(ReadOnlySpan<byte> entry, string name, string what)
    {
        if (entry.Length < 4) throw new InvalidDataException($"{what}: zip entry '{name}' is too short to hold an ONNX model.");
        int length = BinaryPrimitives.ReadInt32LittleEndian(entry);
        if (length < 0 || length > entry.Length - 4)
            throw new InvalidDataException($"{what}: zip entry '{name}' announces {length} bytes of ONNX model but holds {entry.Length - 4}.");
        return ModelProto.Parser.ParseFrom(entry.Slice(4, length));
    }
}
