using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest.RoundTrip;

/// <summary>
/// Disposes loaded models while other threads transform and predict with their <see cref="MultiInterestModel.Transformer"/>,
/// as a service swapping models with requests in flight does. In a process of its own: freeing ONNX Runtime sessions under a
/// running call ends the process natively (a segmentation fault or glibc's "double free"), which no test host survives.
/// </summary>
internal static class DisposeRace
{
    /// <summary>
    /// Runs <paramref name="cycles"/> load-race-dispose cycles of <paramref name="modelPath"/> over the users of
    /// <paramref name="edgesPath"/>, with the context's temp files in <paramref name="tempDirectory"/>; 0 when every reader
    /// either finished or was refused with an <see cref="ObjectDisposedException"/> and every cycle left no temp file, else 3.
    /// </summary>
    public static int Run(string modelPath, string edgesPath, string tempDirectory, int cycles)
    {
        var ml = new MLContext(seed: 1) { TempFilePath = tempDirectory };
        var users = File.ReadLines(edgesPath).Select(line => line.Split('\t')[0]).Distinct().ToArray();
        var rows = Enumerable.Range(0, 200).Select(n => new EdgeRow { User = users[n % users.Length], Item = "" }).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var random = new Random(5);
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            var model = MultiInterestModel.Load(ml, modelPath);
            var view = model.Transformer.Transform(ml.Data.LoadFromEnumerable(rows));
            var engine = ml.Model.CreatePredictionEngine<EdgeRow, Prediction>(model.Transformer);
            var threads = new List<Thread>();
            for (int t = 0; t < 4; t++)
            {
                int kind = t;
                threads.Add(new Thread(() => Loop(kind switch
                {
                    0 => () => view.Preview(rows.Length),                                                  // a view made before Dispose
                    1 => () => model.Transformer.Transform(ml.Data.LoadFromEnumerable(rows)).Preview(50), // new views until Dispose
                    2 => () => ml.Model.CreatePredictionEngine<EdgeRow, Prediction>(model.Transformer).Predict(rows[0]),
                    _ => () => engine.Predict(rows[1]),                                                    // an engine made before
                }, $"cycle {cycle}, thread {kind}", failures)));
            }
            threads.ForEach(t => t.Start());
            Thread.Sleep(20 + random.Next(100));
            model.Dispose();
            threads.ForEach(t => t.Join());
            engine.Dispose();
            // Every reader has ended, so the chain is released: none of ML.NET's copies of the stage graphs is left.
            var left = Directory.GetFiles(tempDirectory, "*", SearchOption.AllDirectories);
            if (left.Length > 0) failures.Enqueue($"cycle {cycle}: {left.Length} temp files left after every reader ended");
        }
        foreach (var failure in failures.Take(10)) Console.Error.WriteLine(failure);
        return failures.IsEmpty ? 0 : 3;
    }

    /// <summary>Repeats <paramref name="work"/> until the model refuses it as disposed; any other exception is a failure.</summary>
    private static void Loop(Action work, string what, System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        try
        {
            while (true) work();
        }
        catch (ObjectDisposedException e) when (e.ObjectName == nameof(MultiInterestModel))
        {
        }
        catch (Exception e)
        {
            failures.Enqueue($"{what}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>The retriever's outputs as a prediction engine returns them.</summary>
    internal sealed class Prediction
    {
        public uint[] Candidates { get; set; } = [];

        public float[] CandidateScores { get; set; } = [];
    }
}
