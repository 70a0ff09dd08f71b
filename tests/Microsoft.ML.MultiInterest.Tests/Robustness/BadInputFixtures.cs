using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Google.Protobuf;
using Microsoft.ML.MultiInterest.Onnx.Proto;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Robustness;

/// <summary>Inputs shared by the bad-input catalogue and the fuzz tests: temporary files and a small saved model.</summary>
internal static class BadInputFixtures
{
    private static readonly Lazy<byte[]> SavedModel = new(SaveModel);

    /// <summary>The zip bytes of a small fitted pipeline (keys, GraphEmbedding, SphericalKMeans) saved with mlContext.Model.Save.</summary>
    public static byte[] ModelZip => SavedModel.Value;

    /// <summary>A directory for one test's files, under the system temp directory.</summary>
    public static string Directory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "mi-bad-inputs", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Writes <paramref name="text"/> to a new file named <paramref name="fileName"/> (gzip when it ends in .gz).</summary>
    public static string Text(string fileName, string text)
    {
        var path = Path.Combine(Directory("text"), fileName);
        var bytes = Encoding.UTF8.GetBytes(text);
        File.WriteAllBytes(path, fileName.EndsWith(".gz", StringComparison.Ordinal) ? Gzip(bytes) : bytes);
        return path;
    }

    /// <summary>Writes raw bytes to a new file.</summary>
    public static string Bytes(string fileName, byte[] bytes)
    {
        var path = Path.Combine(Directory("bytes"), fileName);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(bytes);
        return buffer.ToArray();
    }

    /// <summary>
    /// The reading end of an operating-system pipe (which cannot seek, as a shell's &lt;(...) or /dev/stdin fed by a pipe)
    /// that a background task fills with <paramref name="bytes"/> and then closes.
    /// </summary>
    public static Stream Piped(byte[] bytes)
    {
        var writer = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        var reader = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, writer.ClientSafePipeHandle);
        _ = Task.Run(() =>
        {
            using (writer) writer.Write(bytes);
        });
        return reader;
    }

    /// <summary>An edge file's text: header and <paramref name="edges"/> lines user TAB item.</summary>
    public static string EdgeText(int edges)
    {
        var text = new StringBuilder("user\titem\n");
        for (int e = 0; e < edges; e++) text.Append('u').Append(e % 97).Append("\ti").Append(e * 7 % 89).Append('\n');
        return text.ToString();
    }

    /// <summary>A zip holding one text entry: valid as a zip, foreign as a model.</summary>
    public static byte[] ForeignZip()
    {
        var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            writer.Write("not a model");
        }
        return buffer.ToArray();
    }

    /// <summary><see cref="ModelZip"/> with every library stage's format version set to <paramref name="version"/>.</summary>
    public static byte[] ModelZipWithVersion(string version, string writer = "9.9.0") => WithFormatVersion(ModelZip, version, writer);

    /// <summary>The saved model <paramref name="zip"/> with every library stage's format version and writer set, as that library wrote it.</summary>
    public static byte[] WithFormatVersion(byte[] zip, string version, string writer) => Edited(zip, model =>
    {
        var props = model.MetadataProps.FirstOrDefault(p => p.Key == SavedModelFormat.VersionKey);
        if (props == null) return false;
        props.Value = version;
        // As that library writes it: its package version beside the format.
        model.MetadataProps.First(p => p.Key == SavedModelFormat.LibraryVersionKey).Value = writer;
        return true;
    });

    /// <summary>
    /// Makes a manifest read as one written before format version 2 (library 1.1.0): version 1, no library version. Such a
    /// manifest may lack the fields added since, which read as their defaults.
    /// </summary>
    public static void AsFormatVersion1(System.Text.Json.Nodes.JsonObject manifest)
    {
        manifest["format_version"] = 1;
        manifest.Remove("library_version");
        manifest.Remove("file_sha256");
        manifest.Remove("manifest_sha256");
    }

    /// <summary>The zip bytes of a small fitted unimodal retrieval pipeline (keys, GraphEmbedding, UnimodalRetriever), saved with its training history.</summary>
    public static byte[] RetrievalModelZip => SavedRetrievalModel.Value;

    private static readonly Lazy<byte[]> SavedRetrievalModel = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(ml.MultiInterest().UnimodalRetriever(candidates: 5)).Fit(raw);
        var buffer = new MemoryStream();
        ml.Model.Save(model, raw.Schema, buffer);
        return buffer.ToArray();
    });

    /// <summary>
    /// <see cref="RetrievalModelZip"/> with the last <paramref name="rows"/> rows of the int64 table <paramref name="table"/>
    /// cut off (its shape cut to match, the zip rewritten with valid checksums): a damaged or edited file that still parses.
    /// </summary>
    public static byte[] RetrievalZipWithTableCut(string table, int rows) => Edited(RetrievalModelZip, model =>
    {
        if (model.Graph.Initializer.FirstOrDefault(t => t.Name == table) is not { } tensor) return false;
        long rowLength = tensor.Dims.Skip(1).Aggregate(1L, (a, d) => a * d);
        tensor.Dims[0] -= rows;
        tensor.RawData = ByteString.CopyFrom(tensor.RawData.Span[..(int)(tensor.Dims[0] * rowLength * sizeof(long))]);
        return true;
    });

    /// <summary>
    /// The saved model <paramref name="zip"/> with initializer <paramref name="table"/> taken out of the stage that has it, with the
    /// output that published it (as a writer that never saved the table would leave the graph).
    /// </summary>
    public static byte[] WithoutInitializer(byte[] zip, string table) => Edited(zip, model =>
    {
        if (model.Graph.Initializer.FirstOrDefault(t => t.Name == table) is not { } tensor) return false;
        model.Graph.Initializer.Remove(tensor);
        string output = table + Microsoft.ML.MultiInterest.Onnx.OnnxGraphBuilder.KeptOutputSuffix;
        foreach (var node in model.Graph.Node.Where(n => n.Output.Contains(output)).ToList()) model.Graph.Node.Remove(node);
        foreach (var published in model.Graph.Output.Where(o => o.Name == output).ToList()) model.Graph.Output.Remove(published);
        return true;
    });

    /// <summary>The saved model <paramref name="zip"/> with metadata entry <paramref name="key"/> set to <paramref name="value"/> in the stage that has it.</summary>
    public static byte[] WithMetadata(byte[] zip, string key, string value) => Edited(zip, model =>
    {
        if (model.MetadataProps.FirstOrDefault(p => p.Key == key) is not { } entry) return false;
        entry.Value = value;
        return true;
    });

    /// <summary>
    /// The saved model <paramref name="zip"/> with entry <paramref name="index"/> of the little-endian table <paramref name="table"/>
    /// set to <paramref name="value"/> (an edited number the zip's shapes still agree with).
    /// </summary>
    public static byte[] WithTableValue<T>(byte[] zip, string table, int index, T value) where T : unmanaged => WithTensor(zip, table, tensor =>
    {
        var raw = tensor.RawData.ToByteArray();
        System.Runtime.InteropServices.MemoryMarshal.Write(raw.AsSpan(index * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()), in value);
        tensor.RawData = ByteString.CopyFrom(raw);
    });

    /// <summary>The saved model <paramref name="zip"/> with initializer <paramref name="table"/> changed by <paramref name="edit"/> in the stage that has it.</summary>
    public static byte[] WithTensor(byte[] zip, string table, Action<TensorProto> edit) => Edited(zip, model =>
    {
        if (model.Graph.Initializer.FirstOrDefault(t => t.Name == table) is not { } tensor) return false;
        edit(tensor);
        return true;
    });

    /// <summary>
    /// The zip bytes of a small fitted pipeline whose quota stage reads a new user by the divide-and-conquer model (attention
    /// pooling): its query (HistoryVector = Encoder) and its mixture (HistoryMixture = DivideConquer), every encoder table saved.
    /// </summary>
    public static byte[] DivideConquerQuotaZip => SavedDivideConquerQuota.Value;

    private static readonly Lazy<byte[]> SavedDivideConquerQuota = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var model = MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = Microsoft.ML.MultiInterest.Engine.EmbeddingAlgorithm.DivideConquer, Dimension = 4, Epochs = 1, Threads = 1,
                DivideConquer = new Microsoft.ML.MultiInterest.Engine.DivideConquerOptions { Clusters = 3, Encoder = Microsoft.ML.MultiInterest.Engine.DivideConquerEncoder.AttentionPooling },
            }))
            .Append(mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 3, DivideConquerClusters = true }))
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))
            .Append(mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options
            {
                Candidates = 5, UserEmbeddingColumnName = null, HistoryVector = Microsoft.ML.MultiInterest.Engine.HistoryVector.Encoder, HistoryMixture = Microsoft.ML.MultiInterest.Engine.HistoryMixture.DivideConquer,
            }))
            .Fit(raw);
        var buffer = new MemoryStream();
        ml.Model.Save(model, raw.Schema, buffer);
        return buffer.ToArray();
    });

    /// <summary><paramref name="zipBytes"/> with each library stage graph that <paramref name="edit"/> changes (returns true) written back.</summary>
    private static byte[] Edited(byte[] zipBytes, Func<ModelProto, bool> edit)
    {
        var buffer = new MemoryStream();
        buffer.Write(zipBytes);
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            foreach (var entry in zip.Entries.Where(e => e.Name == SavedModelFormat.OnnxEntryName).ToList())
            {
                var bytes = new MemoryStream();
                using (var content = entry.Open()) content.CopyTo(bytes);
                var data = bytes.ToArray();
                var model = ModelProto.Parser.ParseFrom(data.AsSpan(4, BinaryPrimitives.ReadInt32LittleEndian(data)));
                if (!edit(model)) continue;
                var proto = model.ToByteArray();
                string name = entry.FullName;
                entry.Delete();
                using var output = zip.CreateEntry(name).Open();
                var length = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(length, proto.Length);
                output.Write(length);
                output.Write(proto);
            }
        }
        return buffer.ToArray();
    }

    private static byte[] SaveModel()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var model = MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.SphericalKMeans(numberOfClusters: 3))
            .Fit(raw);
        var buffer = new MemoryStream();
        ml.Model.Save(model, raw.Schema, buffer);
        return buffer.ToArray();
    }
}
