namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Every configuration, the last (most downstream) parameter varying fastest, so consecutive trials share upstream stages.</summary>
internal sealed class GridSearch(SweepSearchSpace space) : ISweepStrategy
{
    private long _next;

    public SweepProposal? Next() => _next < space.Size ? new SweepProposal(SweepStrategies.FromOrdinal(space, _next++)) : null;

    public void Report(SweepProposal proposal, double objective)
    {
    }
}
