using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>The ONNX serving path returns the engine's lists bit for bit, near-ties included.</summary>
public sealed class OnnxExactListsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"onnx-exact-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void NearTiesComeOutInTheEnginesOrder()
    {
        const int m = 10;
        var w = NearTieWorld.Create(seed: 41);
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, m, 1.0, _directory, exclusionMask: true);
        int[] served = [.. Enumerable.Range(0, w.Users.Rows), 7, 3];
        var unimodal = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, w.Seen, m, threads: 1);
        var quota = w.Expected(served, m, 1.0, excludeSeen: true);

        // The plain graphs break the near-ties by float value, not as the engine does: the world is a real test.
        using (var encoder = MixtureGraphRunner.Open(s => File.OpenRead(Path.Combine(_directory, OnnxServingDirectory.EncoderFileName)).CopyTo(s)))
        using (var quotaScorer = MixtureGraphRunner.Open(s => File.OpenRead(Path.Combine(_directory, OnnxServingDirectory.QuotaScorerFileName)).CopyTo(s)))
        {
            var (rows, _) = MixtureGraphRunner.Score(quotaScorer, MixtureGraphRunner.Encode(encoder, served), OnnxExclusionMask.Build(w.Seen, served));
            int differing = Enumerable.Range(0, served.Length)
                .Count(q => !quota.IndicesOf(q).ToArray().SequenceEqual(rows.Skip(q * m).Take(quota.Counts[q]).Select(r => (int)r)));
            Assert.True(differing >= 5, $"only {differing} plain ONNX lists differ from the engine's");
        }

        using var scorer = OnnxCandidateScorer.Open(_directory, batchSize: 6);
        EngineLists.AssertIdentical(quota, scorer.RetrieveClusterQuota(served, w.Seen));
        EngineLists.AssertIdentical(unimodal, scorer.RetrieveUnimodal(served, w.Seen));
        Assert.Contains(quota.Counts, c => c < m); // some lists run short even with the fill
        // Both ways were taken: rankings proved from the candidates, and chains of near-ties scanned with the engine.
        Assert.True(scorer.ProvedFromCandidates > 50, $"{scorer.ProvedFromCandidates} rankings proved");
        Assert.True(scorer.Rescanned >= 3, $"{scorer.Rescanned} rankings rescanned");
        // The quota graph ran without its catalogue ranking: the lists the clusters left short took the engine's.
        Assert.Equal(served.Length - Enumerable.Range(0, served.Length).Count(q => FilledByClusters(w, served[q], m)), scorer.FilledWithEngine);

        // Nothing excluded (the mask stays zero), one user per batch.
        using var single = OnnxCandidateScorer.Open(_directory, batchSize: 1);
        var open = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, null, m, threads: 1);
        EngineLists.AssertIdentical(open, single.RetrieveUnimodal(served));
        EngineLists.AssertIdentical(w.Expected(served, m, 1.0, excludeSeen: false), single.RetrieveClusterQuota(served));
    }

    /// <summary>Whether the engine's quota list of <paramref name="user"/> is full without its fallback.</summary>
    private static bool FilledByClusters(MixtureWorld w, int user, int m) =>
        new ClusterQuotaRetriever(w.Items, w.Clustering).Retrieve(w.Mixtures, [user], w.Seen, [m], 1.0, fallback: null, threads: 1)[0].Counts[0] == m;

    [Fact]
    public void ListsLongerThanTheClustersAndTheCatalogueStillMatch()
    {
        // M + slack above the largest cluster and above the catalogue: every eligible item is a candidate.
        var w = NearTieWorld.Create(seed: 42, users: 12, clusters: 2, familiesPerCluster: 2);
        int m = w.Items.Rows - 3;
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, m, 0.5, _directory, exclusionMask: true);
        var served = Enumerable.Range(0, w.Users.Rows).ToArray();
        using var scorer = OnnxCandidateScorer.Open(_directory);
        EngineLists.AssertIdentical(w.Expected(served, m, 0.5, excludeSeen: true), scorer.RetrieveClusterQuota(served, w.Seen));
        EngineLists.AssertIdentical(new UnimodalRetriever(w.Items).Retrieve(w.Users, served, w.Seen, m, threads: 1), scorer.RetrieveUnimodal(served, w.Seen));
    }

    [Fact]
    public void TheOnnxScoresAreWithinTheErrorBoundOfTheEngines()
    {
        // The bound the proofs rest on, checked on ONNX Runtime's own candidate scores of random float data (d = 64):
        // components against the engine's VectorMath.Dot, the fallback against the search kernel's chain.
        var w = MixtureWorld.Create(seed: 44, users: 30, items: 300, clusters: 6, dimension: 64);
        for (int i = 0; i < w.Items.Values.Length; i++) w.Items.Values[i] *= 1 + (i % 7);
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 20, 1.0, _directory);
        var served = Enumerable.Range(0, w.Users.Rows).ToArray();
        using var encoder = new OnnxSessionFactory().CreateSession(Path.Combine(_directory, OnnxServingDirectory.EncoderFileName));
        using var scorer = new OnnxSessionFactory().CreateSession(Path.Combine(_directory, OnnxServingDirectory.QuotaScorerFileName));
        var encoded = MixtureGraphRunner.Encode(encoder, served);
        var outputs = MixtureGraphRunner.Run(scorer, encoded, null, [MixtureOnnxExporter.ComponentCandidateRowsOutput, MixtureOnnxExporter.ComponentCandidateScoresOutput,
            MixtureOnnxExporter.FallbackCandidateRowsOutput, MixtureOnnxExporter.FallbackCandidateScoresOutput]);
        var (componentRows, componentScores, fallbackRows, fallbackScores) = (outputs[0].Longs, outputs[1].Floats, outputs[2].Longs, outputs[3].Floats);
        double Norm(int item) => Math.Sqrt(w.Items.ReadRow(item).ToArray().Sum(v => (double)v * v));
        double maxNorm = Enumerable.Range(0, w.Items.Rows).Max(Norm);
        int k = componentScores.Length / (served.Length * encoded.Components), kFallback = fallbackScores.Length / served.Length;
        double worst = 0;
        foreach (int u in served)
        {
            for (int j = 0; j < w.Mixtures.ComponentCount(u); j++)
            {
                var query = encoded.Embeddings.AsSpan((u * encoded.Components + j) * encoded.Dimension, encoded.Dimension);
                double bound = OnnxRerank.ErrorBound(query, maxNorm);
                for (int r = (u * encoded.Components + j) * k, end = r + k; r < end && !float.IsNegativeInfinity(componentScores[r]); r++)
                {
                    double error = Math.Abs(componentScores[r] - VectorMath.Dot(query, w.Items.ReadRow((int)componentRows[r])));
                    Assert.InRange(error, 0, bound);
                    worst = Math.Max(worst, error / bound);
                }
            }
            double userBound = OnnxRerank.ErrorBound(w.Users.ReadRow(u), maxNorm);
            for (int r = u * kFallback; r < (u + 1) * kFallback; r++)
            {
                double error = Math.Abs(fallbackScores[r] - TiledTopKSearch.Score(w.Users.ReadRow(u), w.Items.ReadRow((int)fallbackRows[r])));
                Assert.InRange(error, 0, userBound);
                worst = Math.Max(worst, error / userBound);
            }
        }
        Assert.True(worst > 0, "ONNX Runtime summed exactly as the engine everywhere: the bound was not exercised");
    }

    [Fact]
    public void ADirectoryWithoutCandidateOutputsIsRefusedNamingIt()
    {
        var w = MixtureWorld.Create(seed: 43, dimension: 3, integers: true);
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 5, 1.0, _directory, exclusionMask: true);
        string manifest = Path.Combine(_directory, OnnxServingDirectory.ManifestFileName);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"candidate_slack\": 16", "\"candidate_slack\": 0", StringComparison.Ordinal));
        ServingChecksums.Reseal(Path.GetDirectoryName(manifest)!); // damaged on purpose, to reach the check behind the checksums
        var error = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(_directory));
        Assert.Contains(_directory, error.Message);
        Assert.Contains("export it again", error.Message);
    }
}
