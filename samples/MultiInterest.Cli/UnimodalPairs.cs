using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// Every row of a result against Unimodal, user by user (<see cref="MethodEvaluation.Against"/>), computed once for the
/// tables and the JSON files. A row that cannot pair keeps the reason instead of ending the run's other output.
/// </summary>
internal sealed class UnimodalPairs
{
    private readonly Dictionary<string, PairedComparison> _pairs = [];
    private readonly Dictionary<string, string> _refusals = [];

    private UnimodalPairs(MethodEvaluation? unimodal) => Unimodal = unimodal;

    /// <summary>The Unimodal row, or null when the result has none (then nothing pairs).</summary>
    public MethodEvaluation? Unimodal { get; }

    /// <summary>Pairs every row of <paramref name="result"/> but Unimodal with Unimodal.</summary>
    public static UnimodalPairs Of(ProtocolResult result)
    {
        var pairs = new UnimodalPairs(result.Methods.FirstOrDefault(m => m.Name == ProtocolEvaluator.UnimodalName));
        if (pairs.Unimodal == null) return pairs;
        foreach (var method in result.Methods.Where(m => m != pairs.Unimodal))
        {
            // Asked first, not caught: an exception from the comparison itself would be a bug, not a refusal.
            if (method.CanPairWith(pairs.Unimodal, out string? reason)) pairs._pairs[method.Name] = method.Against(pairs.Unimodal);
            else pairs._refusals[method.Name] = reason;
        }
        return pairs;
    }

    /// <summary>Row <paramref name="name"/> against Unimodal, or null (Unimodal itself, no Unimodal, or a row that did not pair).</summary>
    public PairedComparison? For(string name) => _pairs.GetValueOrDefault(name);

    /// <summary>Why row <paramref name="name"/> did not pair with Unimodal, or null.</summary>
    public string? RefusalFor(string name) => _refusals.GetValueOrDefault(name);
}
