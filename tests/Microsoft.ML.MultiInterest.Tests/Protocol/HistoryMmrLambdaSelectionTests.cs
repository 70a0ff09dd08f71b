using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Protocol;

/// <summary>Choosing history_mmr's lambda for a graph on a hold-out of its training edges (<see cref="HistoryMmrLambdaSelection"/>).</summary>
public class HistoryMmrLambdaSelectionTests
{
    private const double Unimodal = 0.50, UnimodalDiversity = 0.60;

    private static (FrontierPoint Point, HistoryMmrSelectionRule Rule) Pick(params FrontierPoint[] points)
    {
        var (point, rule, reorder) = HistoryMmrLambdaSelection.Pick(points, Unimodal, UnimodalDiversity, 1.10, 0.0005);
        Assert.False(reorder); // no re-ordering candidate offered, none chosen
        return (point, rule);
    }

    [Fact]
    public void Among_lambdas_meeting_the_bar_the_best_recall_wins_and_near_ties_go_to_the_more_diverse()
    {
        // 0.6 is the most diverse but loses recall; 0.7 and 0.8 meet the bar, 0.8 with more recall by more than the tie.
        var (point, rule) = Pick(new(0.6, 0.49, 0.80), new(0.7, 0.503, 0.70), new(0.8, 0.505, 0.67), new(0.9, 0.51, 0.62));
        Assert.Equal(HistoryMmrSelectionRule.MeetsBar, rule);
        Assert.Equal(0.8, point.Value);

        // Within the tie (0.0004 apart) the more diverse wins.
        (point, _) = Pick(new(0.7, 0.5046, 0.70), new(0.8, 0.5050, 0.67));
        Assert.Equal(0.7, point.Value);
    }

    [Fact]
    public void Without_the_bar_the_most_diverse_lambda_keeping_recall_wins_and_without_that_the_best_recall()
    {
        var (point, rule) = Pick(new(0.6, 0.49, 0.80), new(0.8, 0.501, 0.64), new(0.9, 0.51, 0.62));
        Assert.Equal(HistoryMmrSelectionRule.KeepsRecall, rule);
        Assert.Equal(0.8, point.Value);

        (point, rule) = Pick(new(0.6, 0.45, 0.80), new(0.8, 0.47, 0.70), new(0.9, 0.4698, 0.72), new(1.0, 0.46, 0.61));
        Assert.Equal(HistoryMmrSelectionRule.BestRecall, rule);
        Assert.Equal(0.9, point.Value); // within the tie of 0.8's recall and more diverse
    }

    [Fact]
    public void With_the_reordering_baseline_the_best_recall_among_lambdas_beating_it_too_wins_else_the_bar_alone()
    {
        FrontierPoint[] points = [new(0.6, 0.49, 0.80), new(0.7, 0.503, 0.70), new(0.8, 0.505, 0.67), new(0.9, 0.51, 0.62)];
        // The baseline's 0.68: only 0.7 keeps the recall with at least that diversity; 0.8 has more recall but less diversity.
        var (point, rule, _) = HistoryMmrLambdaSelection.Pick(points, Unimodal, UnimodalDiversity, 1.10, 0.0005, reorderDiversity: 0.68);
        Assert.Equal(HistoryMmrSelectionRule.BeatsReordering, rule);
        Assert.Equal(0.7, point.Value);

        // A baseline no lambda keeping the recall reaches: the bar alone, as without one.
        (point, rule, _) = HistoryMmrLambdaSelection.Pick(points, Unimodal, UnimodalDiversity, 1.10, 0.0005, reorderDiversity: 0.75);
        Assert.Equal(HistoryMmrSelectionRule.MeetsBar, rule);
        Assert.Equal(0.8, point.Value);

        // Beating the baseline never excuses missing the ratio bar: 0.9 is above a weak baseline's 0.61 but under 1.10x.
        (point, rule, _) = HistoryMmrLambdaSelection.Pick(points, Unimodal, UnimodalDiversity, 1.10, 0.0005, reorderDiversity: 0.61);
        Assert.Equal(HistoryMmrSelectionRule.BeatsReordering, rule);
        Assert.Equal(0.8, point.Value);
    }

    [Fact]
    public void The_rows_own_list_re_ordered_is_one_more_candidate_taken_in_the_first_clauses_only_where_no_lambda_qualifies()
    {
        FrontierPoint[] points = [new(0.6, 0.49, 0.80), new(0.8, 0.501, 0.64), new(0.9, 0.51, 0.62)];
        // No lambda reaches 1.10x (0.66) at Unimodal's recall; the re-ordered own list keeps it with 0.70 and beats the baseline's 0.68.
        var (point, rule, reorder) = HistoryMmrLambdaSelection.Pick(points, Unimodal, UnimodalDiversity, 1.10, 0.0005, 0.68, new FrontierPoint(0.5, 0.502, 0.70));
        Assert.True(reorder);
        Assert.Equal(HistoryMmrSelectionRule.BeatsReordering, rule);
        Assert.Equal((0.5, 0.502, 0.70), (point.Value, point.Recall, point.Diversity));

        // A lambda meeting the same clause wins, even with less recall: it changes the list's items, a re-ordering cannot.
        FrontierPoint[] better = [.. points, new(0.7, 0.5015, 0.69)];
        (point, rule, reorder) = HistoryMmrLambdaSelection.Pick(better.OrderBy(p => p.Value).ToArray(), Unimodal, UnimodalDiversity, 1.10, 0.0005, 0.68,
            new FrontierPoint(0.5, 0.503, 0.70));
        Assert.Equal((HistoryMmrSelectionRule.BeatsReordering, false, 0.7), (rule, reorder, point.Value));

        // But an earlier clause comes first: a lambda reaching only the ratio bar loses to the re-ordering beating the baseline too.
        (point, rule, reorder) = HistoryMmrLambdaSelection.Pick([new(0.7, 0.506, 0.67)], Unimodal, UnimodalDiversity, 1.10, 0.0005, 0.68, new FrontierPoint(0.5, 0.502, 0.70));
        Assert.Equal((HistoryMmrSelectionRule.BeatsReordering, true), (rule, reorder));
        // Without a baseline the same pair is one clause, the bar's: the lambda.
        (point, rule, reorder) = HistoryMmrLambdaSelection.Pick([new(0.7, 0.506, 0.67)], Unimodal, UnimodalDiversity, 1.10, 0.0005, null, new FrontierPoint(0.5, 0.502, 0.70));
        Assert.Equal((HistoryMmrSelectionRule.MeetsBar, false), (rule, reorder));

        // Short of the bar every candidate competes alike, and an exact tie goes to the lambda.
        (point, rule, reorder) = HistoryMmrLambdaSelection.Pick([new(0.7, 0.506, 0.64)], Unimodal, UnimodalDiversity, 1.10, 0.0005, 0.68, new FrontierPoint(0.5, 0.506, 0.65));
        Assert.Equal((HistoryMmrSelectionRule.KeepsRecall, true), (rule, reorder));
        (point, rule, reorder) = HistoryMmrLambdaSelection.Pick([new(0.7, 0.506, 0.64)], Unimodal, UnimodalDiversity, 1.10, 0.0005, 0.68, new FrontierPoint(0.5, 0.506, 0.64));
        Assert.Equal((HistoryMmrSelectionRule.KeepsRecall, false), (rule, reorder));

        // Where nothing keeps Unimodal's recall, the best recall: the re-ordered list when its recall is the best.
        (point, rule, reorder) = HistoryMmrLambdaSelection.Pick([new(0.9, 0.47, 0.62), new(1.0, 0.48, 0.61)], Unimodal, UnimodalDiversity, 1.10, 0.0005, 0.68,
            new FrontierPoint(0.5, 0.49, 0.70));
        Assert.Equal((HistoryMmrSelectionRule.BestRecall, true), (rule, reorder));
    }

    [Fact]
    public void Unimodals_list_re_ordered_with_the_interests_comes_after_the_rows_own_and_keeps_the_recall_where_nothing_else_does()
    {
        FrontierPoint[] points = [new(0.6, 0.47, 0.80), new(0.9, 0.48, 0.62)];
        FrontierPoint own = new(0.5, 0.49, 0.70), unimodal = new(0.5, Unimodal, 0.69);
        // Nothing of the row's own keeps Unimodal's recall; Unimodal's list re-ordered does, beating the baseline's 0.68.
        var pick = HistoryMmrLambdaSelection.Pick(points, Unimodal, UnimodalDiversity, 1.10, 0.0005, 0.68, own, unimodal);
        Assert.Equal((HistoryMmrSelectionRule.BeatsReordering, true, true, unimodal), (pick.Rule, pick.Reorder, pick.UnimodalPool, pick.Point));
        // Short of the baseline it is still the bar's; short of the bar, the most diverse keeping the recall.
        pick = HistoryMmrLambdaSelection.Pick(points, Unimodal, UnimodalDiversity, 1.10, 0.0005, 0.70, own, unimodal);
        Assert.Equal((HistoryMmrSelectionRule.MeetsBar, true), (pick.Rule, pick.UnimodalPool));
        pick = HistoryMmrLambdaSelection.Pick(points, Unimodal, UnimodalDiversity, 1.10, 0.0005, 0.70, own, new FrontierPoint(0.5, Unimodal, 0.64));
        Assert.Equal((HistoryMmrSelectionRule.KeepsRecall, true), (pick.Rule, pick.UnimodalPool));

        // The row's own list comes first in a clause: where it qualifies too, it is taken, even with less diversity.
        pick = HistoryMmrLambdaSelection.Pick(points, Unimodal, UnimodalDiversity, 1.10, 0.0005, 0.68, new FrontierPoint(0.5, 0.502, 0.685), unimodal);
        Assert.Equal((HistoryMmrSelectionRule.BeatsReordering, true, false), (pick.Rule, pick.Reorder, pick.UnimodalPool));
        // Short of the bar, an exact tie of diversity goes to the row's own list (the earlier candidate).
        pick = HistoryMmrLambdaSelection.Pick(points, Unimodal, UnimodalDiversity, 1.10, 0.0005, 0.68, new FrontierPoint(0.5, Unimodal, 0.64), new FrontierPoint(0.5, Unimodal, 0.64));
        Assert.Equal((HistoryMmrSelectionRule.KeepsRecall, true, false), (pick.Rule, pick.Reorder, pick.UnimodalPool));
    }

    [Fact]
    public void With_the_lead_test_a_candidate_within_its_standard_errors_of_Unimodal_does_not_keep_its_recall()
    {
        // Both lambdas and the row's own list have a mean above Unimodal's and reach the bar; only lambda 0.9 leads by 2 errors.
        FrontierPoint[] points = [new(0.6, Unimodal + 0.004, 0.80), new(0.9, Unimodal + 0.002, 0.70)];
        FrontierPoint own = new(0.5, Unimodal + 0.003, 0.72), unimodal = new(0.5, Unimodal, 0.69);
        var leads = new Dictionary<(HistoryMmrCandidate, double), PairedDifference>
        {
            [(HistoryMmrCandidate.Lambda, 0.6)] = new(0.004, 0.006, 500), // 0.67 errors
            [(HistoryMmrCandidate.Lambda, 0.9)] = new(0.002, 0.001, 500), // 2 errors
            [(HistoryMmrCandidate.OwnReordered, 0.5)] = new(0.003, 0.004, 500),
            [(HistoryMmrCandidate.UnimodalReordered, 0.5)] = new(0, 0, 500), // the same items: no lead and no error
        };
        HistoryMmrPick Choose(double errors, Dictionary<(HistoryMmrCandidate, double), PairedDifference> table) =>
            HistoryMmrLambdaSelection.Pick(points, Unimodal, UnimodalDiversity, 1.10, 0.0005, 0.68, own, unimodal, recallLeadErrors: errors,
                leads: (kind, value) => table[(kind, value)]);
        // The mean alone (0, the rule before): the best recall among the qualifying lambdas.
        Assert.Equal((0.6, HistoryMmrCandidate.Lambda), (Choose(0, leads).Point.Value, Choose(0, leads).Kind));
        // One error: 0.6 is noise, 0.9 is not; three errors: no lambda, nor the row's own list, only Unimodal's re-ordering.
        Assert.Equal((0.9, HistoryMmrCandidate.Lambda, HistoryMmrSelectionRule.BeatsReordering), (Choose(1, leads).Point.Value, Choose(1, leads).Kind, Choose(1, leads).Rule));
        Assert.Equal((HistoryMmrCandidate.UnimodalReordered, HistoryMmrSelectionRule.BeatsReordering), (Choose(3, leads).Kind, Choose(3, leads).Rule));
        // Short of the bar the test holds too: with Unimodal's re-ordering below 1.10x, it is the most diverse keeping the recall.
        var plain = HistoryMmrLambdaSelection.Pick(points, Unimodal, 0.70, 1.10, 0.0005, 0.68, own, unimodal, recallLeadErrors: 3,
            leads: (kind, value) => leads[(kind, value)]);
        Assert.Equal((HistoryMmrCandidate.UnimodalReordered, HistoryMmrSelectionRule.KeepsRecall), (plain.Kind, plain.Rule));
        // Without the re-ordering baseline the first clause is the bar's, and the test holds there too.
        var bar = HistoryMmrLambdaSelection.Pick(points, Unimodal, UnimodalDiversity, 1.10, 0.0005, null, own, unimodal, recallLeadErrors: 1,
            leads: (kind, value) => leads[(kind, value)]);
        Assert.Equal((0.9, HistoryMmrSelectionRule.MeetsBar), (bar.Point.Value, bar.Rule));
        // Without the re-orderings nothing keeps the recall at three errors: the best recall, by the last clause.
        var best = HistoryMmrLambdaSelection.Pick(points, Unimodal, UnimodalDiversity, 1.10, 0.0005, 0.68, recallLeadErrors: 3,
            leads: (kind, value) => leads[(kind, value)]);
        Assert.Equal((0.6, HistoryMmrSelectionRule.BestRecall), (best.Point.Value, best.Rule));
        // A lead with no error (one user) is read by its mean.
        var single = leads.ToDictionary(p => p.Key, p => new PairedDifference(p.Value.Difference, double.NaN, 1));
        Assert.Equal(0.6, Choose(3, single).Point.Value);
        Assert.Throws<ArgumentOutOfRangeException>("RecallLeadErrors", () => new HistoryMmrSelectionOptions { RecallLeadErrors = -1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>("RecallLeadErrors", () => new HistoryMmrSelectionOptions { RecallLeadErrors = double.NaN }.Validate());
    }

    [Fact]
    public void Short_of_the_bar_diversity_within_the_tie_goes_to_the_better_recall()
    {
        // Douban-Book's hold-out (2026-12-02): Unimodal's list re-ordered was 0.0001 more diverse than the row's own, which
        // recalled 0.006 more; both kept Unimodal's recall, neither reached 1.10x.
        FrontierPoint[] points = [new(0.5, 0.2211, 0.9104), new(0.9, 0.2634, 0.8681), new(1.0, 0.2669, 0.8582)];
        FrontierPoint own = new(0.5, 0.2691, 0.90331), unimodal = new(0.5, 0.2633, 0.90341);
        var pick = HistoryMmrLambdaSelection.Pick(points, 0.2633, 0.8242, 1.10, 0.0005, 0.8968, own, unimodal);
        Assert.Equal((HistoryMmrSelectionRule.KeepsRecall, true, false, own), (pick.Rule, pick.Reorder, pick.UnimodalPool, pick.Point));
        // Without the tie the 0.0001 decides, as before; a difference beyond the tie still does.
        pick = HistoryMmrLambdaSelection.Pick(points, 0.2633, 0.8242, 1.10, 0.0005, 0.8968, own, unimodal, diversityTie: 0);
        Assert.Equal((true, unimodal), (pick.UnimodalPool, pick.Point));
        pick = HistoryMmrLambdaSelection.Pick(points, 0.2633, 0.8242, 1.10, 0.0005, 0.8968, own, new FrontierPoint(0.5, 0.2633, 0.9040));
        Assert.True(pick.UnimodalPool);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HistoryMmrSelectionOptions { DiversityTie = -1 }.Validate());
    }

    [Fact]
    public void Unimodals_list_re_ordered_is_measured_with_Unimodals_recall_exactly_and_a_chosen_one_says_so()
    {
        var (train, embedding, row) = World();
        var choice = HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = [1.0], Threads = 1, ReorderLambda = 0.3 });
        var candidate = choice.UnimodalReordered!.Value;
        Assert.Equal(0.3, candidate.Value);
        Assert.Equal(choice.UnimodalRecall, candidate.Recall); // the same 50 items per user, so the same hits
        if (choice.UnimodalPool) Assert.Equal(new PairedDifference(0, 0, choice.Users), choice.RecallLead); // and so, user by user, no lead
        Assert.NotEqual(choice.UnimodalDiversity, candidate.Diversity);
        Assert.Null(HistoryMmrLambdaSelection.Choose(train, embedding, row,
            new HistoryMmrSelectionOptions { Lambdas = [1.0], Threads = 1, TryReordering = false }).UnimodalReordered);
        var chosen = choice with { UnimodalPool = true, Reorder = true };
        Assert.Equal(candidate, chosen.Chosen);
        Assert.Equal(7, chosen.PoolFor(7));
        // The stage it configures searches no interest; any other choice keeps the search the row asked for.
        Assert.Equal(HistoryPoolSearch.Unimodal, chosen.PoolSearchFor(HistoryPoolSearch.Clustered));
        Assert.Equal(HistoryPoolSearch.Clustered, (choice with { UnimodalPool = false }).PoolSearchFor(HistoryPoolSearch.Clustered));
    }

    [Fact]
    public void The_re_ordering_candidate_is_the_rows_own_top_50_re_ordered_at_the_baselines_lambda_and_can_be_left_out()
    {
        var (train, embedding, row) = World();
        var tried = HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = [1.0], Threads = 1, ReorderLambda = 0.3 });
        var without = HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = [1.0], Threads = 1, ReorderLambda = 0.3, TryReordering = false });
        // Whichever kind of candidate each choice took, its paired lead is its own figures' difference from Unimodal's.
        foreach (var choice in new[] { tried, without })
        {
            Assert.Equal(choice.Chosen.Recall - choice.UnimodalRecall, choice.RecallLead!.Value.Difference, 1e-12);
            Assert.Equal(choice.Chosen.Diversity - choice.UnimodalDiversity, choice.DiversityLead!.Value.Difference, 1e-12);
        }
        Assert.Null(without.Reordered);
        Assert.False(without.Reorder);
        Assert.Equal(tried.Points, without.Points);
        var r = tried.Reordered!.Value;
        Assert.Equal(0.3, r.Value);
        // Only the order of the best-score top 50 changes: re-ordered at lambda 1 it is that ranking's own top 50, and the
        // same 50 items at any lambda, so the recall at 50 does not move with the lambda.
        var identity = HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = [1.0], Threads = 1, ReorderLambda = 1.0 });
        Assert.Equal(identity.Reordered!.Value.Recall, r.Recall, 12);
        Assert.True(r.Diversity > identity.Reordered!.Value.Diversity, $"{r.Diversity} vs {identity.Reordered!.Value.Diversity}");
        // Without the baseline, the candidate re-orders at the re-ordering row's default lambda.
        var noBaseline = HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = [1.0], Threads = 1, ReorderLambda = null });
        Assert.Equal(MmrRetrieverDefaults.Lambda, noBaseline.Reordered!.Value.Value);
    }

    /// <summary>
    /// A row whose pool is Unimodal's serves a re-ordering as Unimodal's top 50 re-ordered: its own top 50 (of Unimodal's
    /// 100, by best score) is no candidate, which chosen was credited with a list the row did not serve.
    /// </summary>
    [Fact]
    public void A_row_on_Unimodals_pool_has_Unimodals_list_re_ordered_as_its_only_re_ordering_candidate()
    {
        var (train, embedding, row) = World();
        row.Pool.Search = HistoryPoolSearch.Unimodal;
        var choice = HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = [1.0], Threads = 1, ReorderLambda = 0.3 });
        Assert.Null(choice.Reordered);
        Assert.NotNull(choice.UnimodalReordered);
        Assert.DoesNotContain(choice.PerUser!.Candidates, c => c.Name == HistoryMmrSelectionUsers.OwnReordered);
    }

    [Fact]
    public void The_reordering_baseline_is_measured_on_the_same_users_more_diverse_than_Unimodal_and_Unimodal_itself_at_lambda_1()
    {
        var (train, embedding, row) = World();
        double[] lambdas = [0.75];
        var reordered = HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = lambdas, Threads = 1 });
        var identity = HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = lambdas, Threads = 1, ReorderLambda = 1.0 });
        var none = HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = lambdas, Threads = 1, ReorderLambda = null });
        Assert.True(reordered.ReorderDiversity > reordered.UnimodalDiversity, $"{reordered.ReorderDiversity} vs Unimodal's {reordered.UnimodalDiversity}");
        Assert.Equal(identity.UnimodalDiversity, identity.ReorderDiversity!.Value, 12);
        Assert.Null(none.ReorderDiversity);
        Assert.NotEqual(HistoryMmrSelectionRule.BeatsReordering, none.Rule);
        Assert.Throws<ArgumentOutOfRangeException>("ReorderLambda", () =>
            HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = lambdas, ReorderLambda = 1.5 }));
    }

    private static (BipartiteGraph Train, GraphEmbeddingOptions Embedding, HistoryMmrRowSettings Row) World()
    {
        var (_, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 6, itemsPerGroup: 15, users: 120, itemsPerUserPerGroup: 5, dim: 8, seed: 3);
        var embedding = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 8, Seed = 5 };
        embedding.Als.Iterations = 4;
        var row = new HistoryMmrRowSettings { Interests = HistoryInterestOptions.FromAls(embedding.Als) };
        return (graph, embedding, row);
    }

    /// <summary>
    /// HistoryWeights = false: the hold-out's interests are built from its histories alone, as the ML.NET stage builds them
    /// (it reads no weights), while the vectors stay the weighted fit's; the default reads the weights into the interests.
    /// </summary>
    [Fact]
    public void Without_history_weights_the_interests_read_the_histories_alone()
    {
        var (graph, embedding, row) = World();
        var random = new Random(11);
        var users = new int[graph.EdgeCount];
        for (int u = 0; u < graph.UserCount; u++) users.AsSpan(graph.Offsets[u], graph.DegreeOf(u)).Fill(u);
        var weighted = BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, users, graph.EdgeItems, [.. graph.EdgeItems.ToArray().Select(_ => (float)(1 + 15 * random.Next(2)))]);
        var split = ValidationSplit.Create(weighted, 0.2, 5);
        var fit = GraphEmbeddingTrainerEngine.Fit(split.Train, embedding);
        var lambdas = new[] { 0.5, 0.75, 1.0 };
        HistoryMmrLambdaChoice On(BipartiteGraph train, bool historyWeights) => HistoryMmrLambdaSelection.Choose(train, split.Validation, fit.UserEmbeddings, fit.ItemEmbeddings, row,
            new HistoryMmrSelectionOptions { Lambdas = lambdas, Threads = 1, HistoryWeights = historyWeights });
        var alone = On(split.Train, historyWeights: false);
        Assert.Equal(On(split.Train.WithoutWeights(), historyWeights: true).Points, alone.Points);
        Assert.NotEqual(On(split.Train, historyWeights: true).Points, alone.Points);
        Assert.True(new HistoryMmrSelectionOptions().HistoryWeights);
    }

    [Fact]
    public void The_choice_is_one_of_the_lambdas_tried_the_rule_applied_to_its_own_figures_and_the_same_on_any_thread_count()
    {
        var (train, embedding, row) = World();
        var lambdas = new[] { 0.5, 0.75, 1.0 };
        var one = HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = lambdas, Threads = 1 });
        var two = HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = lambdas, Threads = 2 });

        Assert.Equal(lambdas, one.Points.Select(p => p.Value));
        Assert.All(one.Points, p => Assert.InRange(p.Recall, 0, 1));
        Assert.InRange(one.UnimodalRecall, 0.01, 1); // the planted interests are learnable: not a degenerate hold-out
        Assert.True(one.Users > 50, $"{one.Users} validation users");
        // The rule applied to the choice's own figures, each candidate's lead paired from the per-user table.
        Assert.Equal(HistoryInterestDefaults.SelectionRecallLeadErrors, one.RecallLeadErrors);
        var table = one.PerUser!;
        PairedDifference Lead(HistoryMmrCandidate kind, double value)
        {
            var d = table[HistoryMmrSelectionUsers.NameOf(kind, value)].Recall.Zip(table[HistoryMmrSelectionUsers.Unimodal].Recall, (a, b) => a - b).ToArray();
            double mean = d.Average();
            return new(mean, Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (d.Length - 1) / d.Length), d.Length);
        }
        var pick = HistoryMmrLambdaSelection.Pick(one.Points, one.UnimodalRecall, one.UnimodalDiversity,
            HistoryInterestDefaults.SelectionDiversityRatio, HistoryInterestDefaults.SelectionRecallTie, one.ReorderDiversity, one.Reordered, one.UnimodalReordered,
            recallLeadErrors: one.RecallLeadErrors, leads: Lead);
        var (expected, rule, reorder) = pick;
        Assert.Equal(pick.UnimodalPool, one.UnimodalPool);
        Assert.Equal(one.UnimodalReordered, two.UnimodalReordered);
        Assert.NotNull(one.ReorderDiversity); // measured by default
        Assert.NotNull(one.Reordered); // tried by default
        Assert.Equal(expected.Value, one.Lambda);
        Assert.Equal(expected, one.Chosen);
        Assert.Equal(rule, one.Rule);
        Assert.Equal(reorder, one.Reorder);
        Assert.Equal(one.Reordered, two.Reordered);
        Assert.Equal(one.Reorder, two.Reorder);
        Assert.Equal(one.Points, two.Points);
        Assert.Equal(one.Lambda, two.Lambda);
        Assert.Equal(one.UnimodalRecall, two.UnimodalRecall);
        Assert.Equal(one.ReorderDiversity, two.ReorderDiversity);
        // The chosen candidate against Unimodal, paired over the validation users: the difference of the figures, with a spread.
        var lead = one.RecallLead!.Value;
        Assert.Equal(one.Users, lead.Users);
        Assert.Equal(one.Chosen.Recall - one.UnimodalRecall, lead.Difference, 1e-12);
        Assert.True(lead.StandardError >= 0);
        Assert.Equal(one.Chosen.Diversity - one.UnimodalDiversity, one.DiversityLead!.Value.Difference, 1e-12);
        Assert.True(one.DiversityLead.Value.StandardError > 0);
        Assert.Equal(one.RecallLead, two.RecallLead);
        Assert.Equal(one.RecallLeads, two.RecallLeads);
        Assert.Equal(one.PerUser!.Users, two.PerUser!.Users);
        Assert.All(one.PerUser.Candidates.Zip(two.PerUser.Candidates), p =>
        {
            Assert.Equal(p.First.Name, p.Second.Name);
            Assert.Equal(p.First.Recall, p.Second.Recall);
            Assert.Equal(p.First.Diversity, p.Second.Diversity);
        });
    }

    [Fact]
    public void The_per_user_table_holds_every_candidate_in_the_rules_order_and_its_means_are_the_choices_figures()
    {
        var (train, embedding, row) = World();
        double[] lambdas = [0.5, 1.0];
        var choice = HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = lambdas, Threads = 1 });
        var table = choice.PerUser!;
        Assert.Equal(choice.Users, table.Users.Count);
        Assert.Equal(table.Users.Count, table.Users.Distinct().Count());
        Assert.Equal(["unimodal", "reorder_baseline", "lambda_0.5", "lambda_1", "reordered", "unimodal_reordered"], table.Candidates.Select(c => c.Name));
        Assert.All(table.Candidates, c => Assert.Equal((table.Users.Count, table.Users.Count), (c.Recall.Count, c.Diversity.Count)));
        Assert.Equal(choice.UnimodalRecall, table[HistoryMmrSelectionUsers.Unimodal].Recall.Average(), 12);
        Assert.Equal(choice.UnimodalDiversity, table[HistoryMmrSelectionUsers.Unimodal].Diversity.Average(), 12);
        Assert.Equal(choice.ReorderDiversity!.Value, table[HistoryMmrSelectionUsers.Reorder].Diversity.Average(), 12);
        foreach (var point in choice.Points)
        {
            var column = table[HistoryMmrSelectionUsers.LambdaName(point.Value)];
            Assert.Equal((point.Recall, point.Diversity), (Math.Round(column.Recall.Average(), 12), Math.Round(column.Diversity.Average(), 12)),
                (a, b) => Math.Abs(a.Item1 - b.Item1) < 1e-12 && Math.Abs(a.Item2 - b.Item2) < 1e-12);
        }
        Assert.Equal(choice.Reordered!.Value.Recall, table[HistoryMmrSelectionUsers.OwnReordered].Recall.Average(), 12);
        // A re-ordering keeps the user's items: each user's recall is Unimodal's (the baseline) or the row's own, exactly.
        Assert.Equal(table[HistoryMmrSelectionUsers.Unimodal].Recall, table[HistoryMmrSelectionUsers.UnimodalReordered].Recall);
        Assert.Equal(table[HistoryMmrSelectionUsers.Unimodal].Recall, table[HistoryMmrSelectionUsers.Reorder].Recall);
        // The paired lead is the chosen column minus Unimodal's, user by user.
        var chosen = choice.UnimodalPool ? HistoryMmrSelectionUsers.UnimodalReordered : choice.Reorder ? HistoryMmrSelectionUsers.OwnReordered
            : HistoryMmrSelectionUsers.LambdaName(choice.Lambda);
        var differences = table[chosen].Recall.Zip(table[HistoryMmrSelectionUsers.Unimodal].Recall, (a, b) => a - b).ToArray();
        Assert.Equal(differences.Average(), choice.RecallLead!.Value.Difference, 12);
        // Every candidate's lead, as the rule read it, is its column minus Unimodal's, and the chosen one's is the choice's lead.
        Assert.Equal(table.Candidates.Select(c => c.Name).Skip(2).Order(StringComparer.Ordinal), choice.RecallLeads!.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, lead) in choice.RecallLeads!)
            Assert.Equal(table[name].Recall.Zip(table[HistoryMmrSelectionUsers.Unimodal].Recall, (a, b) => a - b).Average(), lead.Difference, 12);
        Assert.Equal(choice.RecallLead, choice.RecallLeads[chosen]);
        var e = Assert.Throws<KeyNotFoundException>(() => table["lambda_0.7"]);
        Assert.Contains("lambda_0.5", e.Message);
        Assert.Null(HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = lambdas, Threads = 1, ReorderLambda = null })
            .PerUser!.Candidates.FirstOrDefault(c => c.Name == HistoryMmrSelectionUsers.Reorder));
    }

    [Fact]
    public void A_user_sample_scores_at_most_MaxUsers_validation_users()
    {
        var (train, embedding, row) = World();
        var choice = HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = [1.0], MaxUsers = 30, Threads = 1 });
        Assert.Equal(30, choice.Users);
    }

    [Fact]
    public void Auto_settings_and_bad_options_are_refused_by_name()
    {
        var (train, embedding, row) = World();
        var auto = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.Auto };
        var e = Assert.Throws<ArgumentException>(() => HistoryMmrLambdaSelection.Choose(train, auto, row));
        Assert.Contains("ChosenOptions", e.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { Lambdas = [0.9, 0.5] }));
        Assert.Equal("Lambdas", bad.ParamName);
        bad = Assert.Throws<ArgumentOutOfRangeException>(() => HistoryMmrLambdaSelection.Choose(train, embedding, row, new HistoryMmrSelectionOptions { ValidationFraction = 1 }));
        Assert.Equal("ValidationFraction", bad.ParamName);

        // Users with fewer than three edges hold nothing out: no hold-out, a clear refusal.
        var sparse = BipartiteGraph.FromEdges(3, 3, [0, 0, 1, 2], [0, 1, 1, 2]);
        var none = Assert.Throws<ArgumentException>(() => HistoryMmrLambdaSelection.Choose(sparse, embedding, row));
        Assert.Contains("hold-out", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_auto_fit_records_the_concrete_options_it_chose_and_they_refit_without_choosing_again()
    {
        var (train, _, _) = World();
        var fit = GraphEmbeddingTrainerEngine.Fit(train, new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.Auto, Threads = 1, Seed = 2 });
        Assert.NotNull(fit.ChosenOptions);
        Assert.NotEqual(EmbeddingAlgorithm.Auto, fit.ChosenOptions!.Algorithm);
        Assert.Equal(fit.Algorithm, fit.ChosenOptions.Algorithm);
        Assert.Equal(0, fit.ChosenOptions.ValidationFraction);
        var again = GraphEmbeddingTrainerEngine.Fit(train, fit.ChosenOptions);
        Assert.Equal(fit.UserEmbeddings.Values, again.UserEmbeddings.Values);
    }

    [Fact]
    public void Auto_keeps_its_hold_out_in_the_full_index_range_on_request_and_the_choice_reads_it_without_a_second_fit()
    {
        var (world, _, row) = World();
        // One more user and item without edges: the fit trains on the subgraph with edges and spreads back.
        var users = new List<int>();
        var items = new List<int>();
        for (int u = 0; u < world.UserCount; u++)
            foreach (int i in world.ItemsOf(u)) { users.Add(u); items.Add(i); }
        var train = BipartiteGraph.FromEdges(world.UserCount + 1, world.ItemCount + 1, users.ToArray(), items.ToArray());
        var options = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.Auto, Threads = 1, Seed = 2 };
        Assert.Null(GraphEmbeddingTrainerEngine.Fit(train, options).Holdout);

        options.KeepHoldout = true;
        var fit = GraphEmbeddingTrainerEngine.Fit(train, options);
        var h = fit.Holdout!;
        Assert.Equal((train.UserCount, train.ItemCount), (h.Train.UserCount, h.Train.ItemCount));
        Assert.Equal((train.UserCount, train.ItemCount), (h.UserEmbeddings.Rows, h.ItemEmbeddings.Rows));
        Assert.True(h.Validation.EdgeCount > 0);
        Assert.Equal(train.EdgeCount, h.Train.EdgeCount + h.Validation.EdgeCount);
        for (int u = 0; u < train.UserCount; u++)
        {
            var all = train.ItemsOf(u).ToArray();
            Assert.Equal(all, h.Train.ItemsOf(u).ToArray().Concat(h.Validation.ItemsOf(u).ToArray()).Order().ToArray());
        }
        var stripped = fit.WithoutHoldout();
        Assert.Null(stripped.Holdout);
        Assert.Same(fit.UserEmbeddings, stripped.UserEmbeddings);
        Assert.Same(h, fit.Holdout);
        Assert.All(h.UserEmbeddings.ReadRow(world.UserCount).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(h.ItemEmbeddings.ReadRow(world.ItemCount).ToArray(), v => Assert.Equal(0f, v));

        // The choice on the kept hold-out is the choice on those very graphs and vectors.
        var selection = new HistoryMmrSelectionOptions { Lambdas = [0.6, 1.0], Threads = 1 };
        row.Interests.MatchUserVectors = true;
        var viaFit = HistoryMmrLambdaSelection.Choose(train, fit, options, row, selection);
        var direct = HistoryMmrLambdaSelection.Choose(h.Train, h.Validation, h.UserEmbeddings, h.ItemEmbeddings, row, selection);
        Assert.Equal(direct.Points, viaFit.Points);
        Assert.Equal(direct.Lambda, viaFit.Lambda);
    }

    [Fact]
    public void An_mlnet_auto_stage_keeps_its_hold_out_on_request_for_the_choice()
    {
        var ml = new MLContext(seed: 4);
        var raw = ml.Data.LoadFromEnumerable(Microsoft.ML.MultiInterest.Tests.MLNet.MLNetTestData.WiderEdges());
        var keys = Microsoft.ML.MultiInterest.Tests.MLNet.MLNetTestData.KeyPipeline(ml);
        var options = new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.Auto, Threads = 1 };
        var plain = (GraphEmbeddingTransformer)keys.Append(ml.MultiInterest().GraphEmbedding(options)).Fit(raw).LastTransformer;
        Assert.Null(plain.Holdout);
        Assert.NotNull(plain.ChosenOptions);

        options.KeepHoldout = true;
        var kept = (GraphEmbeddingTransformer)keys.Append(ml.MultiInterest().GraphEmbedding(options)).Fit(raw).LastTransformer;
        var h = kept.Holdout!;
        Assert.Equal(kept.UserIds.Count, h.UserEmbeddings.Rows);
        Assert.Equal(kept.ItemIds.Count, h.ItemEmbeddings.Rows);
        Assert.True(h.Validation.EdgeCount > 0);
        var choice = HistoryMmrLambdaSelection.Choose(h, new HistoryMmrRowSettings { Interests = new HistoryInterestOptions { MatchUserVectors = true } },
            new HistoryMmrSelectionOptions { Lambdas = [0.75, 1.0], Threads = 1 });
        // One of the lambdas tried, or the row's own list re-ordered at the re-ordering baseline's lambda.
        Assert.Contains(choice.Lambda, choice.Reorder ? [MmrRetrieverDefaults.Lambda] : new[] { 0.75, 1.0 });
    }
}
