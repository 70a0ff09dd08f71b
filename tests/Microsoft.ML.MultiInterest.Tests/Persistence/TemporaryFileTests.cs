using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>
/// ML.NET's OnnxTransformer keeps a copy of its graph in the context's temp directory until it is disposed: saving
/// must dispose the chains it builds, and a disposed <see cref="MultiInterestModel"/> must leave nothing behind.
/// </summary>
public sealed class TemporaryFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-tempfiles-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void LoadedModel_LeavesNoTemporaryFiles_OnceDisposed()
    {
        string temp = Directory.CreateDirectory(Path.Combine(_directory, "temp")).FullName;
        var ml = new MLContext(seed: 1) { TempFilePath = temp };
        string path = SaveSmallModel(ml);

        var loaded = MultiInterestModel.Load(ml, path);
        Assert.NotEmpty(Directory.GetFiles(temp, "*", SearchOption.AllDirectories)); // the check below could fail
        loaded.Dispose();
        Assert.Empty(Directory.GetFiles(temp, "*", SearchOption.AllDirectories));
        // Its chain cannot transform any more, and says so (it once failed inside ML.NET's cursor with a NullReferenceException);
        // the tables read from the zip still serve, and a second Dispose is harmless.
        Assert.Contains("Load the model again", Assert.Throws<ObjectDisposedException>(() => loaded.Transformer).Message);
        Assert.NotEmpty(ml.MultiInterest().CreateRecommender(loaded).Recommend("u0").Items);
        loaded.Dispose();
    }

    [Fact]
    public void DisposedModel_NoLongerHoldsItsChain()
    {
        // ML.NET's OnnxTransformer keeps each stage's parsed graph (all its tables) in the managed heap after its session is
        // disposed: a service that keeps disposed models for Recommend (many tenants in one process) kept those copies too.
        var ml = new MLContext(seed: 1) { TempFilePath = Directory.CreateDirectory(Path.Combine(_directory, "temp")).FullName };
        var loaded = MultiInterestModel.Load(ml, SaveSmallModel(ml));
        var chain = WeakChain(loaded);
        loaded.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(chain.IsAlive, "The disposed model still references its ML.NET chain (and the stage graphs that chain holds).");
        Assert.NotEmpty(ml.MultiInterest().CreateRecommender(loaded).Recommend("u0").Items);
        Assert.Throws<ObjectDisposedException>(() => loaded.Transformer);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference WeakChain(MultiInterestModel model) => new(model.Transformer);

    [Fact]
    public void Saving_LeavesNoCopyOfTheStageGraphsInTheTempDirectory()
    {
        // Each stage's savable chain is built in a context of its own, with a temp subdirectory of the system's: look
        // there and in the system's for files holding exactly one of this model's stage graphs. A seed of its own makes
        // the graphs (their vectors and scores) this run's alone, so files of other tests or earlier runs cannot match.
        int seed = Random.Shared.Next();
        string path = SaveSmallModel(new MLContext(seed: seed));

        var graphs = new List<byte[]>();
        using (var zip = ZipFile.OpenRead(path))
        {
            foreach (var entry in zip.Entries.Where(e => e.Name == "OnnxModel"))
            {
                using var content = entry.Open();
                using var buffer = new MemoryStream();
                content.CopyTo(buffer);
                var bytes = buffer.ToArray();
                graphs.Add(bytes[4..(4 + BinaryPrimitives.ReadInt32LittleEndian(bytes))]);
            }
        }
        Assert.Equal(2, graphs.Count);
        var temp = new DirectoryInfo(Path.GetTempPath());
        foreach (var file in temp.EnumerateFiles().Concat(temp.EnumerateDirectories("mi-save-*").SelectMany(FilesOrNone)))
        {
            long length = LengthOrNone(file);
            var graph = graphs.FirstOrDefault(g => g.Length == length);
            if (graph == null) continue;
            byte[] content;
            try { content = File.ReadAllBytes(file.FullName); }
            catch (IOException) { continue; } // another process's file, gone or locked
            Assert.False(content.AsSpan().SequenceEqual(graph), $"The temp file '{file.FullName}' is a leftover copy of a saved stage graph (seed {seed}).");
        }
    }

    /// <summary>Fits keys, a small graph embedding and a unimodal retriever in <paramref name="ml"/> and saves them.</summary>
    private string SaveSmallModel(MLContext ml)
    {
        var mi = ml.MultiInterest();
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var model = MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.UnimodalRetriever(candidates: 3))
            .Fit(raw);
        string path = Path.Combine(_directory, $"model-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, raw.Schema, path);
        return path;
    }

    /// <summary>The length of <paramref name="file"/>, or -1 when another test or process removed it since it was listed.</summary>
    private static long LengthOrNone(FileInfo file)
    {
        try
        {
            return file.Length;
        }
        catch (FileNotFoundException)
        {
            return -1;
        }
    }

    /// <summary>The files under <paramref name="directory"/>, or none when another test's save removes it meanwhile.</summary>
    private static FileInfo[] FilesOrNone(DirectoryInfo directory)
    {
        try
        {
            return directory.GetFiles("*", SearchOption.AllDirectories);
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }
}
