using Google.Protobuf;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>The ONNX round-robin serving path returns <see cref="RoundRobinRetriever"/>'s lists bit for bit, near-ties and duplicated items included.</summary>
public sealed class RoundRobinExactListsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"onnx-rr-exact-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    /// <summary>
    /// A learned model over <see cref="NearTieWorld"/>'s item table (families one ulp apart, an exact duplicate in each) as item
    /// components, C_d per item, and C_s user components with the world's large first coordinate, so that the components'
    /// rankings are full of ties and near-ties; and a random seen graph over its items.
    /// </summary>
    private static (MixtureEmbeddingResult Model, BipartiteGraph Seen) World(int seed, int destinationComponents, int users = 36, int sourceComponents = 3)
    {
        var w = NearTieWorld.Create(seed, users: 1, clusters: 4, familiesPerCluster: 6, dimension: 16);
        var random = new Random(seed);
        int d = w.Items.Dimension, items = w.Items.Rows / destinationComponents;
        var userComponents = new EmbeddingMatrix(users * sourceComponents, d);
        for (int r = 0; r < userComponents.Rows; r++)
        {
            var row = userComponents.Row(r);
            row[0] = (float)(1 + random.NextDouble());
            for (int t = 1; t < d; t++) row[t] = (float)(0.5 * random.NextDouble() - 0.25);
        }
        var weights = Enumerable.Range(0, users * sourceComponents).Select(_ => 0.05 + random.NextDouble()).ToArray();
        var model = new MixtureEmbeddingResult(sourceComponents, destinationComponents, userComponents, w.Items, weights);
        var edgeUsers = new List<int>();
        var edgeItems = new List<int>();
        for (int u = 0; u < users; u++)
        {
            // Every fifth user has seen all but 3 items, so its components' lists run short.
            int seen = u % 5 == 4 ? items - 3 : random.Next(0, items / 4);
            foreach (int i in Enumerable.Range(0, items).OrderBy(_ => random.Next()).Take(seen))
            {
                edgeUsers.Add(u);
                edgeItems.Add(i);
            }
        }
        return (model, BipartiteGraph.FromEdges(users, items, edgeUsers.ToArray(), edgeItems.ToArray()));
    }

    private static void AssertIdentical(RankedLists expected, RankedLists got)
    {
        Assert.Equal(expected.Counts, got.Counts);
        for (int q = 0; q < expected.QueryCount; q++)
        {
            Assert.Equal(expected.IndicesOf(q).ToArray(), got.IndicesOf(q).ToArray());
            Assert.Equal(expected.ScoresOf(q).ToArray(), got.ScoresOf(q).ToArray());
        }
    }

    /// <summary>The scorer's own per-component lists merged by <see cref="RoundRobinOnnxMerge"/>: what the directory gives without re-scoring.</summary>
    private RankedLists PlainOnnx(OnnxServingManifest manifest, int[] served, BipartiteGraph seen)
    {
        var factory = new OnnxSessionFactory();
        using var encoder = factory.CreateSession(Path.Combine(_directory, manifest.Encoder.File));
        using var scorer = factory.CreateSession(Path.Combine(_directory, manifest.RoundRobinScorer!.File));
        var encoded = MixtureGraphRunner.Encode(encoder, served);
        using var embeddings = OrtValue.CreateTensorValueFromMemory(encoded.Embeddings, [served.Length, encoded.Components, encoded.Dimension]);
        var mask = OnnxExclusionMask.Build(seen, served);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [served.Length, manifest.Items]);
        using var run = new RunOptions();
        using var outputs = scorer.Run(run, [MixtureEmbeddingsName, ExclusionMaskInput], [embeddings, maskValue],
            [RoundRobinOnnxExporter.ComponentRowsOutput, RoundRobinOnnxExporter.ComponentScoresOutput]);
        return RoundRobinOnnxMerge.Merge(encoded.Clusters, encoded.Weights, outputs[0].GetTensorDataAsSpan<long>(), outputs[1].GetTensorDataAsSpan<float>(),
            served.Length, encoded.Components, manifest.DestinationComponents, manifest.Items, manifest.Candidates);
    }

    [Theory]
    [InlineData(1, 51)]
    [InlineData(2, 52)]
    public void NearTiesAndDuplicatedItems_ComeOutInTheEnginesOrder(int destinationComponents, int seed)
    {
        const int k = 8;
        var (model, seen) = World(seed, destinationComponents);
        var manifest = OnnxServingDirectory.ExportRoundRobin(model, k, _directory, exclusionMask: true);
        int[] served = [.. Enumerable.Range(0, model.UserCount), 7, 3];
        var retriever = new RoundRobinRetriever(model.ItemComponents, destinationComponents);
        var expected = retriever.Retrieve(model.ToMixtureTable(served), served, seen, [k], threads: 1)[0];

        // The scorer's own lists break the near-ties by float value, not as the engine does: the world is a real test.
        var plain = PlainOnnx(manifest, served, seen);
        int differing = Enumerable.Range(0, served.Length).Count(q => !expected.IndicesOf(q).SequenceEqual(plain.IndicesOf(q)));
        Assert.True(differing >= 3, $"only {differing} plain ONNX lists differ from the engine's");

        using var scorer = OnnxRoundRobinScorer.Open(_directory, batchSize: 5);
        AssertIdentical(expected, scorer.Retrieve(served, seen));
        Assert.Contains(expected.Counts, c => c < k); // some lists run short
        // Both ways were taken: component lists proved from the candidates, and ties at the cut fetched with the engine.
        Assert.True(scorer.ProvedFromCandidates > 20, $"{scorer.ProvedFromCandidates} lists proved");
        Assert.True(scorer.Rescanned >= 3, $"{scorer.Rescanned} lists rescanned");

        // Nothing excluded (the mask stays zero), one user per batch.
        using var single = OnnxRoundRobinScorer.Open(_directory, batchSize: 1);
        AssertIdentical(retriever.Retrieve(model.ToMixtureTable(served), served, null, [k], threads: 1)[0], single.Retrieve(served));
    }

    [Fact]
    public void ListsWhoseCandidatesAreTheWholeCatalogue_StillMatch()
    {
        // K x C_d + slack above every item component: nothing is left out, and only near-tie chains need the engine.
        var (model, seen) = World(53, destinationComponents: 2, users: 10);
        int k = model.ItemCount - 2;
        OnnxServingDirectory.ExportRoundRobin(model, k, _directory, exclusionMask: true);
        var served = Enumerable.Range(0, model.UserCount).ToArray();
        using var scorer = OnnxRoundRobinScorer.Open(_directory);
        AssertIdentical(new RoundRobinRetriever(model.ItemComponents, 2).Retrieve(model.ToMixtureTable(served), served, seen, [k], threads: 1)[0],
            scorer.Retrieve(served, seen));
        Assert.True(scorer.ProvedFromCandidates > 0);
    }

    [Fact]
    public void ADirectoryWithoutCandidateSlack_IsServedExactly_ByTheEnginesFetches()
    {
        // As exported before the slack: the scorer returns exactly K x C_d per interest and the manifest says slack 0.
        const int k = 6;
        var (model, seen) = World(55, destinationComponents: 2, users: 12);
        OnnxServingDirectory.ExportRoundRobin(model, k, _directory, exclusionMask: true);
        using (var file = File.Create(Path.Combine(_directory, OnnxServingDirectory.RoundRobinScorerFileName)))
            RoundRobinOnnxExporter.BuildScorer(model.ItemComponents, 2, 3, k, exclusionMask: true, slack: 0).WriteTo(file);
        string manifestPath = Path.Combine(_directory, OnnxServingDirectory.ManifestFileName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        Assert.True(json.Remove("candidate_slack"));
        Robustness.BadInputFixtures.AsFormatVersion1(json);
        File.WriteAllText(manifestPath, json.ToJsonString());
        ServingChecksums.Reseal(Path.GetDirectoryName(manifestPath)!); // damaged on purpose, to reach the check behind the checksums
        Assert.Equal(0, OnnxServingManifest.Read(_directory).CandidateSlack);

        var served = Enumerable.Range(0, model.UserCount).ToArray();
        using var scorer = OnnxRoundRobinScorer.Open(_directory, batchSize: 4);
        AssertIdentical(new RoundRobinRetriever(model.ItemComponents, 2).Retrieve(model.ToMixtureTable(served), served, seen, [k], threads: 1)[0],
            scorer.Retrieve(served, seen));
        // Nothing bounds what the K x C_d candidates leave out, so only lists shorter than K x C_d (all eligible listed) are proved.
        Assert.True(scorer.Rescanned >= 3 * (served.Length - served.Length / 5), $"{scorer.Rescanned} lists rescanned");
    }

    [Fact]
    public void HistoryUsers_GetTheEnginesDcmInterestsAndLists_NearTiesIncluded()
    {
        const int k = 8, interests = 3;
        var (model, _) = World(54, destinationComponents: 1, users: 4, sourceComponents: interests);
        var random = new Random(54);
        int d = model.Dimension, items = model.ItemCount;
        var seeds = new EmbeddingMatrix(interests, d);
        for (int c = 0; c < interests; c++)
        {
            var row = seeds.Row(c);
            for (int t = 0; t < d; t++) row[t] = (float)(random.NextDouble() - 0.5);
            float norm = MathF.Sqrt(row.ToArray().Sum(v => v * v));
            for (int t = 0; t < d; t++) row[t] /= norm;
        }
        var dcm = new DcmModel(model.ItemComponents, seeds, 0.4f, 1f, 3, weightExponent: 0.5f); // sharpened weights: the exponent travels through the export too
        var manifest = OnnxServingDirectory.ExportRoundRobin(model, k, _directory, exclusionMask: true, dcm: dcm);
        // Random histories (duplicates and any order: read as sets), and an empty one.
        int[][] histories = [.. Enumerable.Range(0, 30).Select(_ => Enumerable.Range(0, random.Next(1, 11)).Select(_ => random.Next(items)).ToArray()), []];
        var retriever = new RoundRobinRetriever(model.ItemComponents);

        // The engine: the history's interests by its soft k-means, then round robin with the history excluded.
        var expected = new RankedLists(histories.Length, k);
        for (int q = 0; q < histories.Length; q++)
        {
            var set = histories[q].Distinct().Order().ToArray();
            var seen = BipartiteGraph.FromEdges(1, items, new int[set.Length], set);
            var list = retriever.Retrieve(dcm.Clustering.InterestsOf(model.ItemComponents, set), [0], seen, [k], threads: 1)[0];
            list.IndicesOf(0).CopyTo(expected.IndexSlots(q));
            list.ScoresOf(0).CopyTo(expected.ScoreSlots(q));
            expected.Counts[q] = list.Counts[0];
        }

        // The history encoder's interests through the scorer and the merge: float sums in ONNX Runtime's order, near-ties broken otherwise.
        var factory = new OnnxSessionFactory();
        using (var encoder = factory.CreateSession(Path.Combine(_directory, manifest.HistoryEncoder!.File)))
        using (var plainScorer = factory.CreateSession(Path.Combine(_directory, manifest.RoundRobinScorer!.File)))
        {
            int width = histories.Max(h => h.Length);
            var rows = new long[histories.Length * width];
            Array.Fill(rows, -1L);
            var mask = new float[histories.Length * items];
            for (int q = 0; q < histories.Length; q++)
            {
                var set = histories[q].Distinct().Order().ToArray();
                for (int p = 0; p < set.Length; p++)
                {
                    rows[q * width + p] = set[p];
                    mask[q * items + set[p]] = float.NegativeInfinity;
                }
            }
            using var input = OrtValue.CreateTensorValueFromMemory(rows, [histories.Length, width]);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [histories.Length, items]);
            using var run = new RunOptions();
            using var encoded = encoder.Run(run, manifest.HistoryEncoder.Inputs, [input], manifest.HistoryEncoder.Outputs);
            using var found = plainScorer.Run(run, [MixtureEmbeddingsName, ExclusionMaskInput], [encoded[2], maskValue],
                [RoundRobinOnnxExporter.ComponentRowsOutput, RoundRobinOnnxExporter.ComponentScoresOutput]);
            var plain = RoundRobinOnnxMerge.Merge(encoded[0].GetTensorDataAsSpan<long>(), encoded[1].GetTensorDataAsSpan<double>(), found[0].GetTensorDataAsSpan<long>(),
                found[1].GetTensorDataAsSpan<float>(), histories.Length, interests, 1, items, k);
            int differing = Enumerable.Range(0, histories.Length).Count(q => !expected.IndicesOf(q).SequenceEqual(plain.IndicesOf(q))
                || !expected.ScoresOf(q).SequenceEqual(plain.ScoresOf(q)));
            Assert.True(differing >= 3, $"only {differing} plain ONNX lists differ from the engine's");
        }

        using var scorer = OnnxRoundRobinScorer.Open(_directory, batchSize: 7);
        AssertIdentical(expected, scorer.RetrieveFromHistories(histories));
        Assert.True(scorer.Rescanned >= 1, $"{scorer.Rescanned} lists rescanned");
    }
}
