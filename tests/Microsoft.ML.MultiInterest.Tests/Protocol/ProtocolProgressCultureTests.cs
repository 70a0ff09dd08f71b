using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Protocol;

/// <summary>The protocol's stage lines are formatted in the invariant culture, user counts of 1,000 and more included.</summary>
public class ProtocolProgressCultureTests
{
    [Fact]
    public void Stage_lines_count_users_in_the_invariant_culture()
    {
        var (items, groups, graph, _) = TestGraphs.TwoInterestUsers(groups: 2, itemsPerGroup: 8, users: 1200, itemsPerUserPerGroup: 3);
        var trainU = new List<int>(); var trainI = new List<int>(); var testU = new List<int>(); var testI = new List<int>();
        for (int u = 0; u < graph.UserCount; u++)
        {
            var row = graph.ItemsOf(u);
            for (int j = 0; j < row.Length; j++)
            {
                if (j % 5 == 2) { testU.Add(u); testI.Add(row[j]); }
                else { trainU.Add(u); trainI.Add(row[j]); }
            }
        }
        var train = BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, trainU.ToArray(), trainI.ToArray());
        var test = BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, testU.ToArray(), testI.ToArray());
        var users = new EmbeddingMatrix(graph.UserCount, items.Dimension);
        for (int u = 0; u < graph.UserCount; u++)
            foreach (int i in train.ItemsOf(u)) VectorMath.AddScaled(users.Row(u), items.ReadRow(i), 1f);
        var clustering = ItemClustering.Create(groups, 2, items);

        var saved = CultureInfo.CurrentCulture;
        var stages = new List<string>();
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { Cutoffs = [5], Neighbors = 3, Threads = 1 },
                progress: new Lines(stages));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
        Assert.NotEmpty(stages);
        // de-DE writes 1.200 where the invariant culture writes 1,200.
        Assert.All(stages, s => Assert.Contains("1,200 users", s, StringComparison.Ordinal));
    }

    private sealed class Lines(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }
}
