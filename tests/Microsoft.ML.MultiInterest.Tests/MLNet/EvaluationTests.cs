using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

public class EvaluationTests
{
    private static readonly int[] Cutoffs = [1, 2, 3];

    [Fact]
    public void Evaluate_MatchesTheEngineMetrics_WithMixtureRepresentation()
    {
        var ml = new MLContext(seed: 1);
        var (scored, heldOut, items) = EvaluationTestData.Views(ml);
        var metrics = ml.MultiInterest().Evaluate(scored, heldOut, items, new MultiInterestEvaluatorOptions { Cutoffs = [3, 1, 2] });

        var (unitItems, held, lists, mixtures, _) = EvaluationTestData.Engine();
        Assert.Equal(2, metrics.UserCount);
        Assert.Equal(Cutoffs, metrics.Cutoffs);
        Assert.False(metrics.RetrievalPerCutoff);
        foreach (int k in Cutoffs)
        {
            double recall = 0, ndcg = 0, diversity = 0;
            for (int q = 0; q < 2; q++)
            {
                var top = lists[q].AsSpan(0, Math.Min(k, lists[q].Length));
                recall += RetrievalMetrics.Recall(top, held[q]);
                ndcg += RetrievalMetrics.Ndcg(top, held[q], k);
                diversity += RetrievalMetrics.Diversity(top, unitItems);
            }
            Assert.Equal(recall / 2, metrics.RecallAtK[k], 1e-12);
            Assert.Equal(ndcg / 2, metrics.NdcgAtK[k], 1e-12);
            Assert.Equal(diversity / 2, metrics.DiversityAtK[k], 1e-12);
        }
        var solver = new EarthMoversDistance();
        double emd = (RetrievalMetrics.GoodnessOfFit(solver, mixtures[0].Points, mixtures[0].Weights, unitItems, held[0])
            + RetrievalMetrics.GoodnessOfFit(solver, mixtures[1].Points, mixtures[1].Weights, unitItems, held[1])) / 2;
        Assert.Equal(UserRepresentation.Mixture, metrics.Representation);
        Assert.Equal(emd, metrics.Emd!.Value, 1e-12);

        // Hand check of one figure: user 0 holds out items 1 and 3; its top 2 are items 1 and 0.
        Assert.Equal((0.5 + 0.0) / 2, metrics.RecallAtK[2], 1e-12);
        Assert.Equal((1 / (1 + 1 / Math.Log2(3)) + 0.0) / 2, metrics.NdcgAtK[2], 1e-12);
    }

    [Fact]
    public void Evaluate_Unimodal_UsesTheUserEmbedding()
    {
        var ml = new MLContext(seed: 1);
        var (scored, heldOut, items) = EvaluationTestData.Views(ml);
        var options = new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs, Representation = UserRepresentation.Unimodal };
        var metrics = ml.MultiInterest().Evaluate(scored, heldOut, items, options);

        var (unitItems, held, _, _, userEmbeddings) = EvaluationTestData.Engine();
        double emd = (RetrievalMetrics.UnimodalGoodnessOfFit(userEmbeddings[0], unitItems, held[0])
            + RetrievalMetrics.UnimodalGoodnessOfFit(userEmbeddings[1], unitItems, held[1])) / 2;
        Assert.Equal(UserRepresentation.Unimodal, metrics.Representation);
        Assert.Equal(emd, metrics.Emd!.Value, 1e-12);
    }

    [Fact]
    public void Evaluate_WithoutRepresentationColumns_HasNoEmd()
    {
        var ml = new MLContext(seed: 1);
        var (scored, heldOut, items) = EvaluationTestData.Views(ml);
        var bare = ml.Transforms.SelectColumns("User", "Candidates").Fit(scored).Transform(scored);
        var metrics = ml.MultiInterest().Evaluate(bare, heldOut, items, new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs });
        Assert.Null(metrics.Emd);
        Assert.Equal(UserRepresentation.None, metrics.Representation);
        var withNone = ml.MultiInterest().Evaluate(scored, heldOut, items, new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs, Representation = UserRepresentation.None });
        Assert.Null(withNone.Emd);
        Assert.Equal(metrics.RecallAtK, withNone.RecallAtK);
    }

    [Fact]
    public void ToString_IsATable()
    {
        var ml = new MLContext(seed: 1);
        var (scored, heldOut, items) = EvaluationTestData.Views(ml);
        var text = ml.MultiInterest().Evaluate(scored, heldOut, items, new MultiInterestEvaluatorOptions { Cutoffs = [1, 3] }).ToString();
        var lines = text.Split(Environment.NewLine);
        Assert.Contains("Recall@K", lines[0]);
        Assert.Contains("NDCG@K", lines[0]);
        Assert.StartsWith("     1 ", lines[1]);
        Assert.StartsWith("     3 ", lines[2]);
        Assert.StartsWith("EMD: ", lines[3]);
        Assert.Contains("(mixture)", lines[3]);
        Assert.StartsWith("Users: 2", lines[4]);
    }
}
