namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The kinds of candidate the lambda rule weighs, in its order of preference within a clause.</summary>
internal enum HistoryMmrCandidate
{
    /// <summary>A lambda re-ranking the row's pool.</summary>
    Lambda,

    /// <summary>The row's own top 50 re-ordered.</summary>
    OwnReordered,

    /// <summary>Unimodal's top 50 re-ordered with the interests (<see cref="HistoryPoolSearch.Unimodal"/>).</summary>
    UnimodalReordered,
}

/// <summary>What <see cref="HistoryMmrLambdaSelection.Pick"/> chose: the point, the clause, and which kind of candidate it is.</summary>
internal readonly record struct HistoryMmrPick
{
    /// <summary>The choice of <paramref name="kind"/> at <paramref name="point"/> by the clause <paramref name="rule"/>.</summary>
    public HistoryMmrPick(FrontierPoint point, HistoryMmrSelectionRule rule, HistoryMmrCandidate kind) => (Point, Rule, Kind) = (point, rule, kind);

    /// <summary>The chosen candidate's validation figures.</summary>
    public FrontierPoint Point { get; }

    /// <summary>The clause that chose it.</summary>
    public HistoryMmrSelectionRule Rule { get; }

    /// <summary>Which candidate it is.</summary>
    public HistoryMmrCandidate Kind { get; }

    /// <summary>Whether a re-ordering was chosen (the row's own top 50 or Unimodal's).</summary>
    public bool Reorder => Kind != HistoryMmrCandidate.Lambda;

    /// <summary>Whether Unimodal's top 50 re-ordered with the interests was chosen.</summary>
    public bool UnimodalPool => Kind == HistoryMmrCandidate.UnimodalReordered;

    /// <summary>The point, the clause and whether a re-ordering was chosen.</summary>
    public void Deconstruct(out FrontierPoint point, out HistoryMmrSelectionRule rule, out bool reorder) => (point, rule, reorder) = (Point, Rule, Reorder);
}
