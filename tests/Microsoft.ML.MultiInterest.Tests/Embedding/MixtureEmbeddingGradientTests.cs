using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

/// <summary>The hand-derived gradients of mixture embeddings against central finite differences.</summary>
public class MixtureEmbeddingGradientTests
{
    [Theory]
    [InlineData(MixturePooling.Max)]
    [InlineData(MixturePooling.Smoothmax)]
    [InlineData(MixturePooling.RegularizedSmoothmax)]
    public void PoolingDerivativesMatchFiniteDifferences(MixturePooling kind)
    {
        var random = new Random(5);
        var m = Enumerable.Range(0, 6).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var gradient = new float[6];
        var scratch = new float[6];
        PoolingFunctions.Pool(kind, m, 0.3f, 0.25f, gradient);
        const float h = 1e-3f;
        for (int k = 0; k < m.Length; k++)
        {
            float keep = m[k];
            m[k] = keep + h;
            double plus = PoolingFunctions.Pool(kind, m, 0.3f, 0.25f, scratch);
            m[k] = keep - h;
            double minus = PoolingFunctions.Pool(kind, m, 0.3f, 0.25f, scratch);
            m[k] = keep;
            Assert.Equal((plus - minus) / (2 * h), gradient[k], 2e-3);
        }
    }

    [Fact]
    public void PoolingsFollowTheirDefinitions()
    {
        float[] m = [0.5f, -0.2f, 0.9f, 0.1f];
        var g = new float[4];
        Assert.Equal(0.9f, PoolingFunctions.Pool(MixturePooling.Max, m, 0.1f, 0f, g));
        double gamma = 0.2, theta = 0.3;
        double z = m.Sum(x => Math.Exp(x / gamma));
        double smooth = m.Sum(x => x * Math.Exp(x / gamma) / z);
        double regular = m.Sum(x => x * (theta + (1 - theta) * Math.Exp(x / gamma) / z));
        Assert.Equal(smooth, PoolingFunctions.Pool(MixturePooling.Smoothmax, m, (float)gamma, (float)theta, g), 5);
        Assert.Equal(regular, PoolingFunctions.Pool(MixturePooling.RegularizedSmoothmax, m, (float)gamma, (float)theta, g), 5);
        // θ = 0 is smoothmax; a tiny γ approaches the max.
        Assert.Equal(smooth, PoolingFunctions.Pool(MixturePooling.RegularizedSmoothmax, m, (float)gamma, 0f, g), 5);
        Assert.Equal(0.9, PoolingFunctions.Pool(MixturePooling.Smoothmax, m, 0.005f, 0f, g), 4);
    }

    [Theory]
    [InlineData(0.3f)]
    [InlineData(0.005f)] // exponentials of −400: the shift by each column's largest keeps them finite
    public void ColumnSmoothmaxEqualsThePoolingOfEachColumn(float gamma)
    {
        const int rows = 5, columns = 13;
        var random = new Random(9);
        var m = Enumerable.Range(0, rows * columns).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] gradients = new float[rows * columns], pooled = new float[columns];
        PoolingFunctions.SmoothmaxColumns(m, rows, columns, gamma, pooled, gradients);
        var block = new float[rows];
        var gradient = new float[rows];
        for (int n = 0; n < columns; n++) // 13 columns: vector lanes and a scalar tail
        {
            for (int a = 0; a < rows; a++) block[a] = m[a * columns + n];
            float expected = PoolingFunctions.Pool(MixturePooling.Smoothmax, block, gamma, 0f, gradient);
            Assert.Equal(expected, pooled[n], 1e-5f);
            for (int a = 0; a < rows; a++) Assert.Equal(gradient[a], gradients[a * columns + n], 1e-4f);
        }
    }

    [Theory]
    [InlineData(MixturePooling.Max, true, 2)]
    [InlineData(MixturePooling.Smoothmax, true, 2)]
    [InlineData(MixturePooling.RegularizedSmoothmax, true, 2)]
    [InlineData(MixturePooling.Max, false, 2)]
    [InlineData(MixturePooling.Smoothmax, false, 2)]
    [InlineData(MixturePooling.RegularizedSmoothmax, false, 2)]
    // One destination component (the default): the item side pools its blocks column-wise in vectors.
    [InlineData(MixturePooling.Max, true, 1)]
    [InlineData(MixturePooling.Smoothmax, true, 1)]
    [InlineData(MixturePooling.RegularizedSmoothmax, true, 1)]
    [InlineData(MixturePooling.RegularizedSmoothmax, false, 1)]
    public void ChunkGradientsMatchFiniteDifferences(MixturePooling pooling, bool oneSided, int cd)
    {
        const int users = 6, items = 7, cs = 3, d = 5;
        var options = new GraphEmbeddingOptions
        {
            Algorithm = EmbeddingAlgorithm.MixtureEmbedding, Dimension = d, ChunkSize = 3, BatchNegatives = 2, UniformNegatives = 2,
            Margin = 2.5f, // every hinge active: the loss is smooth where it is measured
            Mixture = new MixtureEmbeddingOptions { SourceComponents = cs, DestinationComponents = cd, Pooling = pooling, Gamma = 0.5f, Theta = 0.3f, OneSidedNegatives = oneSided },
        };
        var userTable = new EmbeddingTable(users * cs, d);
        var itemTable = new EmbeddingTable(items * cd, d);
        var init = new EmbeddingRandom(11, 0);
        userTable.InitializeNormal(0.6f, ref init); // raw rows of various lengths: the normalisation's chain rule is checked too
        itemTable.InitializeNormal(0.6f, ref init);
        int[] edgeUsers = [0, 2, 5], edgeItems = [1, 3, 6];
        float[] edgeWeights = [1f, 0.5f, 2f];
        var worker = new MixtureChunkWorker(options, userTable, itemTable, edgeUsers, edgeItems, edgeWeights, null, null, new EmbeddingRandom(3, 1));
        worker.Prepare([0, 1, 2]);
        double loss = worker.Backpropagate();
        Assert.True(loss > 0);
        var userGrads = (float[])worker.UserGradients.Clone();
        var itemGrads = (float[])worker.ItemGradients.Clone();
        int stride = userTable.Stride;
        Check(worker, worker.UserRows, userGrads, stride, d);
        Check(worker, worker.ItemRows, itemGrads, stride, d);
    }

    /// <summary>Every logical coordinate of every gathered row that has a gradient.</summary>
    internal static void Check(MixtureChunkWorker worker, float[] rows, float[] analytic, int stride, int d)
    {
        const float h = 2e-3f;
        int checkedCount = 0;
        for (int r = 0; r < rows.Length / stride; r++)
        {
            for (int k = 0; k < d; k++)
            {
                int at = r * stride + k;
                float keep = rows[at];
                rows[at] = keep + h;
                double plus = worker.Backpropagate();
                rows[at] = keep - h;
                double minus = worker.Backpropagate();
                rows[at] = keep;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[at]) <= 5e-3 + 2e-2 * Math.Abs(numeric), $"row {r}, coordinate {k}: finite difference {numeric}, analytic {analytic[at]}");
                if (analytic[at] != 0f) checkedCount++;
            }
        }
        Assert.True(checkedCount > 0);
    }
}
