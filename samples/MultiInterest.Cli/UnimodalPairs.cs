using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// Every row of a result against Unimodal, user by user (<see cref="MethodEvaluation.Against"/>), computed once for the
/// tables and the JSON files. A row that cannot pair keeps the reason instead of ending the run's other output.
/// </summary>
internal sealed class UnimodalPairs
{
    private readonly Dictionary<string, PairedComparison> _pairs = [];
    private readonly Dictionary<string, Dictionary<int, PairedDifference>> _longTail = [];
    private readonly Dictionary<string, Dictionary<int, PairedDifference>[]> _longTailByActivity = [];
    private readonly Dictionary<string, string> _refusals = [];

    private UnimodalPairs(MethodEvaluation? unimodal) => Unimodal = unimodal;

    /// <summary>The Unimodal row, or null when the result has none (then nothing pairs).</summary>
    public MethodEvaluation? Unimodal { get; }

    /// <summary>
    /// Pairs every row of <paramref name="result"/> but Unimodal with Unimodal; given the training and held-out edges, also
    /// each paired row's long-tail recall at each list length both rows have (<see cref="CatalogueExposure.LongTailRecallAgainst"/>).
    /// </summary>
    /// <param name="result">The rows, their lists in <see cref="ProtocolResult.TestUsers"/> order.</param>
    /// <param name="train">The training edges (the items' degrees), or null for no long-tail pairs.</param>
    /// <param name="heldOut">The held-out edges over the training graph's rows, or null for no long-tail pairs.</param>
    public static UnimodalPairs Of(ProtocolResult result, BipartiteGraph? train = null, BipartiteGraph? heldOut = null)
    {
        if ((train == null) != (heldOut == null)) throw new ArgumentException("Give the training and the held-out edges together, or neither.", nameof(heldOut));
        var pairs = new UnimodalPairs(result.Methods.FirstOrDefault(m => m.Name == ProtocolEvaluator.UnimodalName));
        if (pairs.Unimodal == null) return pairs;
        var degrees = train?.ItemDegrees();
        // The protocol's activity quartiles of the test users (training degree), as every row's ByActivity holds them.
        var quartiles = train == null ? null : ActivityQuartiles.Assign(result.TestUsers.Select(train.DegreeOf).ToArray()).Groups;
        foreach (var method in result.Methods.Where(m => m != pairs.Unimodal))
        {
            // Asked first, not caught: an exception from the comparison itself would be a bug, not a refusal.
            if (!method.CanPairWith(pairs.Unimodal, out string? reason))
            {
                pairs._refusals[method.Name] = reason;
                continue;
            }
            pairs._pairs[method.Name] = method.Against(pairs.Unimodal);
            // Only beside the other paired figures: a row refused there (other users or held-out items) is refused here too.
            if (degrees == null) continue;
            int[] cutoffs = [.. method.Candidates.Keys.Where(pairs.Unimodal.Candidates.ContainsKey).Order()];
            pairs._longTail[method.Name] = cutoffs.ToDictionary(k => k,
                k => CatalogueExposure.LongTailRecallAgainst(method.Candidates[k], pairs.Unimodal.Candidates[k], degrees, heldOut!, result.TestUsers));
            if (method.ByActivity.Count != ActivityQuartiles.Count) continue;
            var byCutoff = cutoffs.ToDictionary(k => k,
                k => CatalogueExposure.LongTailRecallByActivity(method.Candidates[k], pairs.Unimodal.Candidates[k], degrees, heldOut!, result.TestUsers, quartiles!));
            pairs._longTailByActivity[method.Name] = [.. Enumerable.Range(0, ActivityQuartiles.Count).Select(g => byCutoff.ToDictionary(p => p.Key, p => p.Value[g]))];
        }
        return pairs;
    }

    /// <summary>Row <paramref name="name"/> against Unimodal, or null (Unimodal itself, no Unimodal, or a row that did not pair).</summary>
    public PairedComparison? For(string name) => _pairs.GetValueOrDefault(name);

    /// <summary>
    /// Row <paramref name="name"/>'s long-tail recall against Unimodal's per list length, over the test users holding out a
    /// long-tail item; null where <see cref="For"/> is, or when the pairs were made without the edges.
    /// </summary>
    public IReadOnlyDictionary<int, PairedDifference>? LongTailFor(string name) => _longTail.GetValueOrDefault(name);

    /// <summary>
    /// <see cref="LongTailFor"/> within activity quartile <paramref name="quartile"/> (0 = least active) of the test users, over
    /// its users holding out a long-tail item; null where <see cref="LongTailFor"/> is, or when the row has no quartiles.
    /// </summary>
    public IReadOnlyDictionary<int, PairedDifference>? LongTailFor(string name, int quartile) =>
        _longTailByActivity.GetValueOrDefault(name)?.ElementAtOrDefault(quartile);

    /// <summary>Why row <paramref name="name"/> did not pair with Unimodal, or null.</summary>
    public string? RefusalFor(string name) => _refusals.GetValueOrDefault(name);
}
