using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Protocol;

/// <summary>The protocol's stage lines are formatted in the invariant culture, user counts of 1,000 and more included.</summary>
public class ProtocolProgressCultureTests
{
    [Fact]
    public void Stage_lines_count_users_in_the_invariant_culture()
    {
        var (train, test, users, items, clustering) = ProtocolEvaluatorTests.Planted(groups: 2, itemsPerGroup: 8, users: 1200, itemsPerUserPerGroup: 3);

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
