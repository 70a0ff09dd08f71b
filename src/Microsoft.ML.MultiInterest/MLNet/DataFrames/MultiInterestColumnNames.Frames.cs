namespace Microsoft.ML.MultiInterest;

public static partial class MultiInterestColumnNames
{
    /// <summary>The columns of the long-format DataFrames (candidates, mixtures, metrics) besides <see cref="User"/> and <see cref="Item"/>.</summary>
    public static class Frames
    {
        /// <summary>1-based position in a candidate list: "Rank".</summary>
        public const string Rank = "Rank";

        /// <summary>A candidate's score: "Score".</summary>
        public const string Score = "Score";

        /// <summary>0-based mixture component (by descending weight): "Component".</summary>
        public const string Component = "Component";

        /// <summary>A component's cluster (the cluster key's value): "Cluster".</summary>
        public const string Cluster = "Cluster";

        /// <summary>A component's weight: "Weight".</summary>
        public const string Weight = "Weight";

        /// <summary>A metric's name (Recall, Ndcg, Diversity, Emd): "Metric".</summary>
        public const string Metric = "Metric";

        /// <summary>A metric's cutoff (0 for the EMD): "K".</summary>
        public const string K = "K";

        /// <summary>A metric's value: "Value".</summary>
        public const string Value = "Value";
    }
}
