using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>
/// One phase of <see cref="LeaveLastOutSplit"/> (validation: the penultimate item is the target; test: the last), with
/// what a history encoder is trained and served on: in time order (<see cref="Sequences"/>, the history before each
/// item; served from each user's last <see cref="DivideConquerDefaults.MaxHistory"/> items) or, without order, the
/// training graph itself.
/// </summary>
internal sealed class LeaveLastOutPhase
{
    private readonly int _itemCount;
    private readonly Dictionary<int, BipartiteGraph> _recent = [];

    public LeaveLastOutPhase(LeaveLastOutSplit split, bool test, bool sequential)
    {
        (Train, Targets) = split.Phase(test);
        Served = Train;
        if (!sequential) return;
        Sequences = split.PhaseSequences(test);
        Served = SequenceOrder.RecentGraph(split.ItemCount, Sequences, DivideConquerDefaults.MaxHistory);
        _itemCount = split.ItemCount;
    }

    /// <summary>The histories the user intent p_uk is counted on: the last <paramref name="window"/> items in time order (0, or no order: <see cref="Served"/>).</summary>
    public BipartiteGraph IntentHistory(int window)
    {
        if (window == 0 || Sequences == null) return Served;
        if (!_recent.TryGetValue(window, out var graph)) _recent[window] = graph = SequenceOrder.RecentGraph(_itemCount, Sequences, window);
        return graph;
    }

    /// <summary>The phase's training graph (also the items every list excludes).</summary>
    public BipartiteGraph Train { get; }

    /// <summary>Each user's target item (−1 for users not evaluated).</summary>
    public int[] Targets { get; }

    /// <summary>Each user's training items oldest first, when the encoders see time order; else null.</summary>
    public IReadOnlyList<int[]>? Sequences { get; }

    /// <summary>The histories users are served from: their last L items in time order, else <see cref="Train"/>.</summary>
    public BipartiteGraph Served { get; }
}
