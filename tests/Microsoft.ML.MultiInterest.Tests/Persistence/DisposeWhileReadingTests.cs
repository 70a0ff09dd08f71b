using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>
/// <see cref="MultiInterestModel.Dispose"/> while its <see cref="MultiInterestModel.Transformer"/> is still read on other
/// threads, as a service swapping models with requests in flight does: it freed the ONNX Runtime sessions under running
/// calls, which ended the process (a segmentation fault or glibc's "double free or corruption", 4 of 11 runs of a service's
/// repro). Readers that started before Dispose now finish, later work is refused as disposed, and the chain is released
/// when its last reader ends.
/// </summary>
public sealed class DisposeWhileReadingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-dispose-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void CursorOpenedBeforeDispose_ReadsToItsEnd_ThenTheChainIsReleased()
    {
        var (ml, temp, path) = SmallModel();
        var model = MultiInterestModel.Load(ml, path);
        // More rows than ML.NET's parallel cursor computes ahead (a few batches of 64), so most are computed after Dispose.
        var view = model.Transformer.Transform(ml.Data.LoadFromEnumerable(ManyRows()));
        var column = view.Schema[MultiInterestColumnNames.CandidateScores];
        var expected = view.GetColumn<float[]>(column).ToList();
        var read = new List<float[]>();
        using (var cursor = view.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var value = default(VBuffer<float>);
            Assert.True(cursor.MoveNext());
            getter(ref value);
            read.Add(value.DenseValues().ToArray());
            model.Dispose();
            Assert.NotEmpty(Files(temp)); // the chain waits for its reader
            while (cursor.MoveNext())
            {
                getter(ref value);
                read.Add(value.DenseValues().ToArray());
            }
        }
        Assert.Equal(expected, read);
        Assert.Empty(Files(temp));
    }

    [Fact]
    public void WorkStartedAfterDispose_IsRefusedAsDisposed_AndNothingWaits()
    {
        var (ml, temp, path) = SmallModel();
        var model = MultiInterestModel.Load(ml, path);
        var data = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var transformer = model.Transformer;
        var view = transformer.Transform(data);
        var mapper = transformer.GetRowToRowMapper(data.Schema);
        using var engine = ml.Model.CreatePredictionEngine<MLNetTestData.Edge, Prediction>(transformer);
        var request = new MLNetTestData.Edge { User = "u1" };
        Assert.NotEmpty(engine.Predict(request).Candidates);

        model.Dispose();
        Assert.Empty(Files(temp)); // no reader was running: released at once

        // A view, a mapper and a prediction engine made before: each new read is refused, naming the model (they failed with
        // ML.NET's "Splitter/consolidator worker encountered exception..." and a NullReferenceException).
        foreach (var refused in new Action[]
        {
            () => view.Preview(5),
            () => view.GetRowCursor(view.Schema),
            () => view.GetRowCursorSet(view.Schema, 2),
            () => engine.Predict(request),
            () => mapper.GetRow(data.GetRowCursor(data.Schema), mapper.OutputSchema),
            () => transformer.Transform(data),
            () => transformer.GetOutputSchema(data.Schema),
            () => ml.Model.CreatePredictionEngine<MLNetTestData.Edge, Prediction>(transformer),
            () => ml.Model.Save(transformer, data.Schema, Path.Combine(_directory, "again.zip")),
        })
        {
            var e = Assert.Throws<ObjectDisposedException>(refused);
            Assert.Equal(nameof(MultiInterestModel), e.ObjectName);
            Assert.Contains("Load the model again", e.Message);
        }
        Assert.Throws<ObjectDisposedException>(() => model.Transformer);
        Assert.NotEmpty(ml.MultiInterest().CreateRecommender(model).Recommend("u1").Items);
        model.Dispose();
    }

    [Fact]
    public void Transformer_SavesMapsAndPredictsAsItsChain()
    {
        var (ml, _, path) = SmallModel();
        using var model = MultiInterestModel.Load(ml, path);
        var data = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        string again = Path.Combine(_directory, "again.zip");
        ml.Model.Save(model.Transformer, model.InputSchema, again);
        var reloaded = ml.Model.Load(again, out _);
        try
        {
            var column = MultiInterestColumnNames.CandidateScores;
            var expected = reloaded.Transform(data).GetColumn<float[]>(column).ToList();
            Assert.Equal(expected, model.Transformer.Transform(data).GetColumn<float[]>(column).ToList());
            using var engine = ml.Model.CreatePredictionEngine<MLNetTestData.Edge, Prediction>(model.Transformer);
            Assert.Equal(expected, MLNetTestData.Edges().Select(e => engine.Predict(e).CandidateScores).ToList());
            Assert.True(model.Transformer.IsRowToRowMapper);
            // ML.NET's converter refuses it as it refuses the chain (bad-inputs row onnx-convert-loaded-model), instead of
            // taking the guarded view for the pipeline's input and writing a model of pass-through columns.
            Assert.Contains("can not be fully converted", Assert.Throws<InvalidOperationException>(
                () => ml.Model.ConvertToOnnx(model.Transformer, data, new MemoryStream())).Message);
        }
        finally
        {
            (reloaded as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void DisposeRacingReaders_NeverEndsTheProcess()
    {
        // Twelve loads, each disposed 20 to 120 ms into four threads reading it (views made before and after, prediction engines
        // made before and after); in a process of its own, since the crash this guards against takes the process with it.
        var (_, temp, path) = SmallModel();
        string edges = Path.Combine(_directory, "edges.tsv");
        File.WriteAllLines(edges, MLNetTestData.Edges().Select(e => $"{e.User}\t{e.Item}"));
        var (exitCode, error) = SeparateProcess.Run("dispose-race", path, edges, temp, "12");
        Assert.True(exitCode == 0, $"The racing process exited with {exitCode}: {error}");
    }

    /// <summary>The retriever's outputs as a prediction engine returns them.</summary>
    public sealed class Prediction
    {
        public uint[] Candidates { get; set; } = [];

        public float[] CandidateScores { get; set; } = [];
    }

    /// <summary>A context whose temp files go to a directory of this test's, and a small model saved with it.</summary>
    private (MLContext Ml, string Temp, string Path) SmallModel()
    {
        string temp = Directory.CreateDirectory(Path.Combine(_directory, $"temp-{Guid.NewGuid():N}")).FullName;
        var ml = new MLContext(seed: 1) { TempFilePath = temp };
        var mi = ml.MultiInterest();
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var fitted = MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.UnimodalRetriever(candidates: 3))
            .Fit(raw);
        string path = Path.Combine(_directory, $"model-{Guid.NewGuid():N}.zip");
        ml.Model.Save(fitted, raw.Schema, path);
        return (ml, temp, path);
    }

    private static List<MLNetTestData.Edge> ManyRows()
    {
        var users = MLNetTestData.Edges().Select(e => e.User).Distinct().ToArray();
        return Enumerable.Range(0, 3000).Select(n => new MLNetTestData.Edge { User = users[n % users.Length] }).ToList();
    }

    private static string[] Files(string directory) => Directory.GetFiles(directory, "*", SearchOption.AllDirectories);
}
