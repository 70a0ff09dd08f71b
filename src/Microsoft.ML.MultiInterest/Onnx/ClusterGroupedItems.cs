using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The quota scorer's items grouped by cluster: cluster c's member rows in ascending item order, padded to the largest
/// cluster size <see cref="Slots"/> (the graph gathers the members' vectors from the item table by these rows). Ascending
/// order matters: ONNX TopK gives equal scores to the lower position, which is then the lower item row, the engine's tie rule.
/// </summary>
internal sealed class ClusterGroupedItems
{
    private ClusterGroupedItems(int clusters, int slots)
    {
        Clusters = clusters;
        Slots = slots;
        Rows = new long[checked(clusters * slots)];
        Padding = new float[clusters * slots];
    }

    /// <summary>C, the number of clusters (empty ones included).</summary>
    public int Clusters { get; }

    /// <summary>S, the size of the largest cluster.</summary>
    public int Slots { get; }

    /// <summary>[C, S] item rows of the members; 0 in padding slots (a valid row, so that gathers by it stay in range).</summary>
    public long[] Rows { get; }

    /// <summary>[C, S] 0 for a member, negative infinity for a padding slot (added to the scores).</summary>
    public float[] Padding { get; }

    /// <summary>The size of the largest cluster of <paramref name="clustering"/> (at least 1 when there are items).</summary>
    public static int LargestCluster(ItemClustering clustering) => Largest(clustering.ClusterCount, clustering.MembersOf);

    /// <summary>The size of the largest condition of <paramref name="conditions"/>, at least 1 (TopK needs a slot to rank).</summary>
    public static int LargestCondition(ItemConditions conditions) => Math.Max(1, Largest(conditions.Count, conditions.MembersOf));

    /// <summary>Groups the items by <paramref name="clustering"/>.</summary>
    public static ClusterGroupedItems Create(ItemClustering clustering) =>
        Create(clustering.ClusterCount, LargestCluster(clustering), clustering.MembersOf);

    /// <summary>Groups the items by condition; items without one are in no group (only the fill reaches them).</summary>
    public static ClusterGroupedItems Create(ItemConditions conditions) =>
        Create(conditions.Count, LargestCondition(conditions), conditions.MembersOf);

    private delegate ReadOnlySpan<int> MembersOf(int group);

    private static int Largest(int groups, MembersOf membersOf)
    {
        int largest = 0;
        for (int c = 0; c < groups; c++) largest = Math.Max(largest, membersOf(c).Length);
        return largest;
    }

    private static ClusterGroupedItems Create(int groups, int slots, MembersOf membersOf)
    {
        var grouped = new ClusterGroupedItems(groups, slots);
        int s = grouped.Slots;
        grouped.Padding.AsSpan().Fill(float.NegativeInfinity);
        for (int c = 0; c < groups; c++)
        {
            var members = membersOf(c);
            for (int p = 0; p < members.Length; p++)
            {
                int slot = c * s + p;
                grouped.Rows[slot] = members[p];
                grouped.Padding[slot] = 0f;
            }
        }
        return grouped;
    }
}
