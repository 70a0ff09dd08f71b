using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>Assertions that ONNX serving gives the engine's lists: the exact scorer's, and the plain graphs' where scores are exact.</summary>
internal static class EngineLists
{
    /// <summary>The same counts, items, order and scores, list by list.</summary>
    public static void AssertIdentical(RankedLists expected, RankedLists got)
    {
        Assert.Equal(expected.Counts, got.Counts);
        for (int q = 0; q < expected.QueryCount; q++)
        {
            Assert.Equal(expected.IndicesOf(q).ToArray(), got.IndicesOf(q).ToArray());
            Assert.Equal(expected.ScoresOf(q).ToArray(), got.ScoresOf(q).ToArray());
        }
    }

    /// <summary>
    /// Runs the encoder and quota scorer of <paramref name="directory"/> as plain graphs for <paramref name="served"/> with
    /// <paramref name="seen"/> masked, and asserts that their M-long lists hold <paramref name="expected"/>'s entries slot
    /// for slot (for worlds whose scores are exact, so no near-tie can reorder them), then -1 rows.
    /// </summary>
    public static void AssertPlainQuotaGraphGives(string directory, int[] served, BipartiteGraph seen, RankedLists expected, int m)
    {
        using var encoder = MixtureGraphRunner.Open(s => File.OpenRead(Path.Combine(directory, OnnxServingDirectory.EncoderFileName)).CopyTo(s));
        using var quotaScorer = MixtureGraphRunner.Open(s => File.OpenRead(Path.Combine(directory, OnnxServingDirectory.QuotaScorerFileName)).CopyTo(s));
        var (rows, scores) = MixtureGraphRunner.Score(quotaScorer, MixtureGraphRunner.Encode(encoder, served), OnnxExclusionMask.Build(seen, served));
        for (int q = 0; q < served.Length; q++)
        {
            Assert.Equal(expected.IndicesOf(q).ToArray().Select(i => (long)i), rows.Skip(q * m).Take(expected.Counts[q]));
            Assert.Equal(expected.ScoresOf(q).ToArray(), scores.Skip(q * m).Take(expected.Counts[q]));
            Assert.All(rows.Skip(q * m + expected.Counts[q]).Take(m - expected.Counts[q]), r => Assert.Equal(-1L, r));
        }
    }
}
