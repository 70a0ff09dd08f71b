using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

public sealed class PopularFloorTests
{
    private static MethodEvaluation Row(string name, double at10, double at50) =>
        new(name, new Dictionary<int, double> { [10] = at10, [50] = at50 }, new Dictionary<int, double> { [10] = 0, [50] = 0 },
            new Dictionary<int, double> { [10] = 0, [50] = 0 }, double.NaN, new Dictionary<int, RankedLists>(), null);

    private static ProtocolResult Result(params MethodEvaluation[] rows) => new([0], rows, new Dictionary<string, double>(), [], 0);

    [Fact]
    public void Rows_below_the_popular_row_at_every_cutoff_are_named_with_their_recall()
    {
        var result = Result(Row("unimodal", 0.10, 0.26), Row("mixture", 0.05, 0.0995), Row("knn_embed", 0.045, 0.0867),
            Row("knn_embed_tuned", 0.04, 0.18), Row("mmr", 0.06, 0.10), Row(ProtocolEvaluator.PopularName, 0.0549, 0.1462));
        // kNN-Embed (tuned) is below at 10 only, MMR at 50 only: only rows below at every K count.
        Assert.Equal(["mixture", "knn_embed"], PopularFloor.Below(result).Select(m => m.Name));
        var warnings = new StringWriter();
        PopularFloor.Note(result, warnings);
        Assert.Contains("note: Mixture, kNN-Embed recall less than Popular (each user's most engaged unseen items) at every K (Recall@50 0.0995, 0.0867 against 0.1462)",
            warnings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_with_per_user_figures_are_paired_with_the_popular_row()
    {
        // Two users; Recall per user and cutoff (10, 50), user-major. Mixture trails Popular by 0.10 at 50 for both users.
        MethodEvaluation Scored(string name, double[] recall)
        {
            var means = new Dictionary<int, double> { [10] = (recall[0] + recall[2]) / 2, [50] = (recall[1] + recall[3]) / 2 };
            var zeros = new Dictionary<int, double> { [10] = 0, [50] = 0 };
            return new(name, means, zeros, zeros, double.NaN, new Dictionary<int, RankedLists>(), null)
            {
                PerUser = new UserFigures([0, 1], [10, 50], recall, new double[4], new double[4], 0, 7),
            };
        }
        var result = Result(Scored("mixture", [0, 0.1, 0.05, 0.2]), Scored(ProtocolEvaluator.PopularName, [0.1, 0.2, 0.1, 0.3]));
        var warnings = new StringWriter();
        PopularFloor.Note(result, warnings);
        Assert.Contains("(Recall@50 0.1500 against 0.2500; paired with it user by user -10.00 ± 0.00 points)", warnings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_is_said_without_a_popular_row_or_a_row_below_it()
    {
        var writer = new StringWriter();
        PopularFloor.Note(Result(Row("unimodal", 0.1, 0.2), Row("mixture", 0.01, 0.02)), writer);
        PopularFloor.Note(Result(Row("unimodal", 0.1, 0.2), Row(ProtocolEvaluator.PopularName, 0.01, 0.02)), writer);
        Assert.Equal("", writer.ToString());
    }
}
