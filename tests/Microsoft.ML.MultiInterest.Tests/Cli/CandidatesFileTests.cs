using System.Globalization;
using System.Text;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

public class CandidatesFileTests
{
    [Fact]
    public void BlocksFormattedInParallelWriteTheLinesOfAPlainLoopInOrder()
    {
        // More users than one block on every core, lists of uneven length (some empty), ids outside ASCII, and scores
        // that need every digit of the round-trip format.
        const int users = 5000, items = 300;
        var rng = new Random(3);
        var userIds = new IdMap(Enumerable.Range(0, users).Select(u => u % 7 == 0 ? $"usér-{u}" : $"u{u}"));
        var itemIds = new IdMap(Enumerable.Range(0, items).Select(i => $"i{i}"));
        var testUsers = Enumerable.Range(0, users).Where(u => u % 3 != 1).ToArray();
        RankedLists Lists(int capacity)
        {
            var lists = new RankedLists(testUsers.Length, capacity);
            for (int q = 0; q < testUsers.Length; q++)
            {
                int count = rng.Next(capacity + 1);
                for (int r = 0; r < count; r++)
                {
                    lists.IndexSlots(q)[r] = rng.Next(items);
                    lists.ScoreSlots(q)[r] = (float)(rng.NextDouble() * 2 - 1) / (r + 1);
                }
                lists.Counts[q] = count;
            }
            return lists;
        }
        MethodEvaluation Method(string name) =>
            new(name, new Dictionary<int, double>(), new Dictionary<int, double>(), new Dictionary<int, double>(), 0,
                new Dictionary<int, RankedLists> { [10] = Lists(10), [3] = Lists(3) }, null);
        var result = new ProtocolResult(testUsers, [Method("unimodal"), Method("history_mmr")], new Dictionary<string, double>());
        string path = Path.Combine(Directory.CreateTempSubdirectory("mi-candidates-").FullName, "candidates.tsv");

        CandidatesFile.Write(path, userIds, itemIds, result);

        var expected = new StringBuilder("user\tmethod\trank\titem\tscore\n");
        foreach (var method in result.Methods)
            foreach (var (cutoff, lists) in method.Candidates.OrderBy(p => p.Key))
                for (int q = 0; q < testUsers.Length; q++)
                    for (int r = 0; r < lists.Counts[q]; r++)
                        expected.Append(CultureInfo.InvariantCulture, $"{userIds[testUsers[q]]}\t{method.Name}@{cutoff}\t{r + 1}\t{itemIds[lists.IndicesOf(q)[r]]}\t")
                            .Append(lists.ScoresOf(q)[r].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        Assert.Equal(Encoding.UTF8.GetBytes(expected.ToString()), File.ReadAllBytes(path));
    }
}
