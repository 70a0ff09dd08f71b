using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Conditional;

/// <summary>The conditional edge model's hand-derived gradients against central finite differences (in double-checked float).</summary>
public class ConditionalGradientTests
{
    [Theory]
    [InlineData(0f, 2.0f)]
    [InlineData(0.05f, 0.7f)]
    public void ConditionAndHistoryWeightGradientsMatchFiniteDifferences(float l2, float inverseTemperature)
    {
        const int d = 6, candidates = 5;
        var random = new Random(3);
        var model = new ConditionalEdgeModel(d, candidates);
        void Fill(float[] a, double scale) { for (int k = 0; k < a.Length; k++) a[k] = (float)(scale * (random.NextDouble() * 2 - 1)); }
        Fill(model.User, 1);
        Fill(model.History, 1);
        Fill(model.Condition, 0.5);
        Fill(model.Candidates, 1);
        model.Beta = 0.4f;
        float loss = model.Compute(candidates, inverseTemperature, l2);
        Assert.True(loss > 0);
        var gradient = (float[])model.ConditionGradient.Clone();
        float betaGradient = model.BetaGradient;
        Assert.Contains(gradient, g => Math.Abs(g) > 1e-3);

        const float h = 1e-2f;
        for (int k = 0; k < d; k++)
        {
            float keep = model.Condition[k];
            model.Condition[k] = keep + h;
            double plus = model.Compute(candidates, inverseTemperature, l2);
            model.Condition[k] = keep - h;
            double minus = model.Compute(candidates, inverseTemperature, l2);
            model.Condition[k] = keep;
            double numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - gradient[k]) <= 1e-3 + 1e-2 * Math.Abs(numeric), $"t[{k}]: finite difference {numeric}, analytic {gradient[k]}");
        }
        float beta = model.Beta;
        model.Beta = beta + h;
        double betaPlus = model.Compute(candidates, inverseTemperature, l2);
        model.Beta = beta - h;
        double betaMinus = model.Compute(candidates, inverseTemperature, l2);
        double betaNumeric = (betaPlus - betaMinus) / (2 * h);
        Assert.True(Math.Abs(betaNumeric - betaGradient) <= 1e-3 + 1e-2 * Math.Abs(betaNumeric), $"beta: finite difference {betaNumeric}, analytic {betaGradient}");
        Assert.True(Math.Abs(betaGradient) > 1e-3);
    }

    [Fact]
    public void TheLossIsTheSoftmaxCrossEntropyOfTheTarget()
    {
        const int d = 3;
        var model = new ConditionalEdgeModel(d, 3);
        float[] user = [1, 0, 2], history = [0, 1, 1], t = [0.5f, -0.5f, 0], rows = [1, 1, 0, 0, 1, 1, 2, 0, 0];
        user.CopyTo(model.User, 0);
        history.CopyTo(model.History, 0);
        t.CopyTo(model.Condition, 0);
        rows.CopyTo(model.Candidates, 0);
        model.Beta = 2;
        // q = (u + 2 h) ⊙ (1 + t) = (1, 2, 4) ⊙ (1.5, 0.5, 1) = (1.5, 1, 4); scores 2.5, 5, 3.
        double[] z = [2.5 / 2, 5 / 2.0, 3 / 2.0];
        double expected = -z[0] + Math.Log(z.Sum(Math.Exp)) + 0.5 * 0.1 * (0.25 + 0.25);
        Assert.Equal(expected, model.Compute(3, 0.5f, 0.1f), 5);
    }
}
