namespace MultiInterest.Benchmarks;

/// <summary>
/// Draws members of groups in proportion to their weights: each group is a slice of one member array with running
/// weight totals, and a draw is a binary search in its group's slice.
/// </summary>
internal sealed class CumulativeSampler
{
    private readonly int[] _offsets;
    private readonly int[] _members;
    private readonly double[] _cumulative;

    /// <summary>Groups <paramref name="weights"/>' indices by <paramref name="groupOf"/> (ascending within a group).</summary>
    /// <param name="weights">Positive weight of every member.</param>
    /// <param name="groupOf">The group of every member, in 0..<paramref name="groups"/>-1.</param>
    /// <param name="groups">Number of groups.</param>
    public CumulativeSampler(double[] weights, int[] groupOf, int groups)
    {
        _offsets = new int[groups + 1];
        foreach (int g in groupOf) _offsets[g + 1]++;
        for (int g = 0; g < groups; g++) _offsets[g + 1] += _offsets[g];
        var cursor = (int[])_offsets.Clone();
        _members = new int[weights.Length];
        for (int i = 0; i < weights.Length; i++) _members[cursor[groupOf[i]]++] = i;
        _cumulative = new double[weights.Length];
        for (int g = 0; g < groups; g++)
        {
            double total = 0;
            for (int p = _offsets[g]; p < _offsets[g + 1]; p++) _cumulative[p] = total += weights[_members[p]];
        }
    }

    /// <summary>True when <paramref name="group"/> has no members.</summary>
    public bool IsEmpty(int group) => _offsets[group] == _offsets[group + 1];

    /// <summary>A member of <paramref name="group"/> drawn by weight, using <paramref name="uniform"/> in [0, 1).</summary>
    public int Draw(int group, double uniform)
    {
        int lo = _offsets[group], hi = _offsets[group + 1] - 1;
        double target = uniform * _cumulative[hi];
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_cumulative[mid] > target) hi = mid;
            else lo = mid + 1;
        }
        return _members[lo];
    }
}
