using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.PipelineSample;

/// <summary>
/// Shrinks the cit-HepPh split so the sample runs in seconds: the most cited items (by training in-degree, ties
/// to the lower id), the training edges into them, and the held-out edges into them from users that keep at
/// least one training edge (so every test user can be retrieved for and every test item is a training item).
/// </summary>
internal static class Subsample
{
    public static (List<EdgeRow> Train, List<EdgeRow> Test) MostCited(IReadOnlyList<RawEdge> train, IReadOnlyList<RawEdge> test, int items)
    {
        var kept = train.GroupBy(e => e.Item)
            .OrderByDescending(g => g.Count()).ThenBy(g => long.Parse(g.Key, System.Globalization.CultureInfo.InvariantCulture))
            .Take(items).Select(g => g.Key).ToHashSet();
        var trainRows = train.Where(e => kept.Contains(e.Item)).Select(e => new EdgeRow { User = e.User, Item = e.Item }).ToList();
        var users = trainRows.Select(e => e.User).ToHashSet();
        var testRows = test.Where(e => kept.Contains(e.Item) && users.Contains(e.User)).Select(e => new EdgeRow { User = e.User, Item = e.Item }).ToList();
        return (trainRows, testRows);
    }
}
