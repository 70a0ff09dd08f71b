using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

public class EmbeddingInternalsTests
{
    [Fact]
    public void ScoreKernelMatchesScalarDots()
    {
        int stride = EmbeddingTable.PaddedStride(13);
        var random = new Random(1);
        var a = new float[7 * stride];
        var b = new float[9 * stride];
        for (int r = 0; r < 7; r++) for (int k = 0; k < 13; k++) a[r * stride + k] = (float)random.NextDouble() - 0.5f;
        for (int r = 0; r < 9; r++) for (int k = 0; k < 13; k++) b[r * stride + k] = (float)random.NextDouble() - 0.5f;
        var scores = new float[7 * 11];
        ChunkKernels.Scores(a, 7, b, 9, stride, scores, 11);
        for (int j = 0; j < 7; j++)
            for (int n = 0; n < 9; n++)
            {
                double expected = 0;
                for (int k = 0; k < 13; k++) expected += (double)a[j * stride + k] * b[n * stride + k];
                Assert.Equal(expected, scores[j * 11 + n], 1e-4);
            }
    }

    [Fact]
    public void AddWeightedRowsMatchesScalar()
    {
        int stride = EmbeddingTable.PaddedStride(10);
        var src = Enumerable.Range(0, 6 * stride).Select(v => (float)(v % 7) - 3f).ToArray();
        var dst = new float[stride];
        int[] rows = { 5, 0, 3, 3, 1 };
        float[] weights = { 0.5f, -1f, 2f, 0.25f, 3f };
        ChunkKernels.AddWeightedRows(dst, src, rows, weights, rows.Length, stride);
        for (int k = 0; k < stride; k++)
        {
            float expected = 0;
            for (int t = 0; t < rows.Length; t++) expected += weights[t] * src[rows[t] * stride + k];
            Assert.Equal(expected, dst[k], 1e-4);
        }
    }

    [Fact]
    public void AliasSamplerFollowsDegrees()
    {
        var sampler = AliasSampler.FromDegrees(new[] { 1, 0, 16, 81 }, 0.75f);
        var random = new EmbeddingRandom(5, 0);
        var counts = new int[4];
        const int draws = 200_000;
        for (int t = 0; t < draws; t++) counts[sampler.Sample(ref random)]++;
        double total = 1 + 8 + 27;
        Assert.Equal(0, counts[1]);
        Assert.Equal(1 / total, counts[0] / (double)draws, 1e-2);
        Assert.Equal(8 / total, counts[2] / (double)draws, 1e-2);
        Assert.Equal(27 / total, counts[3] / (double)draws, 1e-2);
    }

    [Fact]
    public void RankingLossMasksOwnEntityAndRespectsMargin()
    {
        float[] pos = { 1f };
        float[] scores = { 0.95f, 5f, 0.5f };
        int[] negIds = { 10, 7, 11 }; // column 1 is the positive's own entity
        float[] dPos = new float[1];
        double loss = ChunkLoss.Apply(EmbeddingLoss.Ranking, 0.1f, 1f, pos, scores, new[] { 7 }, negIds, new[] { 2f }, dPos, new float[3]);
        Assert.Equal(2 * 0.05, loss, 1e-5);
        Assert.Equal(new[] { 2f, 0f, 0f }, scores);
        Assert.Equal(-2f, dPos[0]);
    }

    [Fact]
    public void SoftmaxLogisticAndCosineGradientsMatchFiniteDifferences()
    {
        foreach (var kind in new[] { EmbeddingLoss.Logistic, EmbeddingLoss.Softmax, EmbeddingLoss.CosineContrastive })
        {
            float[] baseScores = { 0.3f, -0.7f, 0.9f, 0.05f }; // away from the cosine loss's margin (0.1), where it has a kink
            int[] negIds = { 1, 2, 3, 4 };
            float pos = 0.4f;
            double Loss(float p, float[] s) => ChunkLoss.Apply(kind, 0.1f, 0.7f, new[] { p }, (float[])s.Clone(), new[] { 0 }, negIds, new[] { 1f }, new float[1], new float[4]);
            var grad = (float[])baseScores.Clone();
            var dPos = new float[1];
            ChunkLoss.Apply(kind, 0.1f, 0.7f, new[] { pos }, grad, new[] { 0 }, negIds, new[] { 1f }, dPos, new float[4]);
            const float h = 1e-2f;
            Assert.Equal((Loss(pos + h, baseScores) - Loss(pos - h, baseScores)) / (2 * h), dPos[0], 1e-2);
            for (int n = 0; n < 4; n++)
            {
                var up = (float[])baseScores.Clone(); up[n] += h;
                var down = (float[])baseScores.Clone(); down[n] -= h;
                Assert.Equal((Loss(pos, up) - Loss(pos, down)) / (2 * h), grad[n], 1e-2);
            }
        }
    }
}
