using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.DivideConquer;

public class PromptGradientTests
{
    [Theory]
    [InlineData(DivideConquerEncoder.MeanPooling, 5, 4)]
    [InlineData(DivideConquerEncoder.AttentionPooling, 5, 4)]
    [InlineData(DivideConquerEncoder.AttentionPooling, 1, 2)]
    [InlineData(DivideConquerEncoder.SelfAttention, 5, 4)]
    [InlineData(DivideConquerEncoder.SelfAttention, 2, 3)]
    [InlineData(DivideConquerEncoder.SelfAttention, 1, 2)]
    [InlineData(DivideConquerEncoder.UserVector, 1, 3)]
    public void GradientsMatchFiniteDifferences(DivideConquerEncoder encoder, int n, int negatives)
    {
        const int d = 6;
        int stride = EmbeddingTable.PaddedStride(d);
        var model = new DivideConquerEdgeModel(encoder, n, negatives, stride);
        var random = new Random(29 + n + (int)encoder);
        void Fill(float[] rows, int count, double scale, double offset)
        {
            for (int r = 0; r < count; r++)
                for (int j = 0; j < d; j++) rows[r * stride + j] = (float)(offset + scale * (random.NextDouble() * 2 - 1));
        }
        Fill(model.Tokens, n, 1, 0);
        Fill(model.Candidates, 1 + negatives, 1, 0);
        Fill(model.Prompt, 1, 0.5, 1);   // around the all-ones start
        Fill(model.Query, 1, 1, 0);
        bool selfAttention = encoder == DivideConquerEncoder.SelfAttention;
        if (selfAttention) Fill(model.Mixing, d, 0.5, 0);
        const float weight = 1.7f;
        model.Compute(n, negatives, weight);
        var tokens = (float[])model.TokenGradients.Clone();
        var candidates = (float[])model.CandidateGradients.Clone();
        var prompt = (float[])model.PromptGradient.Clone();
        var query = (float[])model.QueryGradient.Clone();
        var mixing = (float[])model.MixingGradient.Clone();

        void Check(float[] rows, float[] analytic, int count, string what)
        {
            for (int r = 0; r < count; r++)
                for (int j = 0; j < d; j++)
                {
                    int at = r * stride + j;
                    float keep = rows[at];
                    const float h = 1e-3f;
                    rows[at] = keep + h;
                    double plus = model.Compute(n, negatives, weight);
                    rows[at] = keep - h;
                    double minus = model.Compute(n, negatives, weight);
                    rows[at] = keep;
                    double numeric = (plus - minus) / (2 * h);
                    Assert.True(Math.Abs(numeric - analytic[at]) <= 5e-3 + 1e-2 * Math.Abs(numeric),
                        $"{encoder} {what} row {r} dim {j}: numeric {numeric}, analytic {analytic[at]}");
                }
        }
        Check(model.Tokens, tokens, n, "tokens");
        Check(model.Candidates, candidates, 1 + negatives, "candidates");
        Check(model.Prompt, prompt, 1, "prompt");
        if (selfAttention)
        {
            Check(model.Mixing, mixing, d, "mixing");
            if (n > 1) Assert.Contains(mixing, g => Math.Abs(g) > 1e-4f); // W gets a gradient once there is something to attend over
        }
        if (encoder is DivideConquerEncoder.AttentionPooling or DivideConquerEncoder.SelfAttention)
        {
            Check(model.Query, query, 1, "query");
            if (n > 1) Assert.Contains(query, g => Math.Abs(g) > 1e-4f); // the query does get a gradient (with one token the softmax is constant)
        }
        else
        {
            Assert.All(query, g => Assert.Equal(0f, g));
        }
        // Padding stays zero, so padded rows never drift.
        for (int r = 0; r < n; r++) Assert.All(tokens.AsSpan(r * stride + d, stride - d).ToArray(), g => Assert.Equal(0f, g));
    }

    /// <summary>Attention starts from a zero query (and self-attention from zero W and positions): both start at the mean.</summary>
    [Theory]
    [InlineData(DivideConquerEncoder.AttentionPooling)]
    [InlineData(DivideConquerEncoder.SelfAttention)]
    public void AttentionWithAZeroQuery_IsTheMeanEncoder(DivideConquerEncoder encoder)
    {
        const int d = 8, n = 4;
        var mean = new DivideConquerEdgeModel(DivideConquerEncoder.MeanPooling, n, 2, d);
        var attention = new DivideConquerEdgeModel(encoder, n, 2, d);
        foreach (var m in new[] { mean, attention })
        {
            var r = new Random(5);
            for (int i = 0; i < m.Tokens.Length; i++) m.Tokens[i] = (float)r.NextDouble();
            for (int i = 0; i < m.Candidates.Length; i++) m.Candidates[i] = (float)r.NextDouble();
            for (int i = 0; i < d; i++) m.Prompt[i] = 1f + 0.1f * i;
        }
        Assert.Equal(mean.Compute(n, 2, 1f), attention.Compute(n, 2, 1f), 5);
        Assert.Equal(mean.TokenGradients, attention.TokenGradients, (a, b) => Math.Abs(a - b) < 1e-5f);
        Assert.Equal(mean.PromptGradient, attention.PromptGradient, (a, b) => Math.Abs(a - b) < 1e-5f);
    }
}
