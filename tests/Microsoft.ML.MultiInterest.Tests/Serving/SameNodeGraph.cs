using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// A small citation-like graph whose users and items are the same nodes: four groups of six papers n0..n23, the first five
/// of each group citing every other paper of their group and the paper at the same place in the next group; the sixth
/// (n5, n11, ...) cites nothing (an item only, not a trained user). Four readers r0..r3 cite papers and are never cited
/// (users only), and all of them cite n5, the most cited paper. A trained paper's only uncited paper of its group is
/// itself, so a unimodal list puts its own id near the top.
/// </summary>
internal static class SameNodeGraph
{
    public const int Groups = 4, PerGroup = 6;

    /// <summary>The edges (citing, cited) by raw ids.</summary>
    public static List<(string User, string Item)> Edges()
    {
        var edges = new List<(string, string)>();
        for (int g = 0; g < Groups; g++)
            for (int k = 0; k < PerGroup - 1; k++)
            {
                string paper = Node(g, k);
                for (int other = 0; other < PerGroup; other++)
                    if (other != k) edges.Add((paper, Node(g, other)));
                edges.Add((paper, Node((g + 1) % Groups, k)));
            }
        for (int r = 0; r < Groups; r++)
        {
            for (int k = 0; k < 3; k++) edges.Add(($"r{r}", Node(r, k)));
            if (r != 0) edges.Add(($"r{r}", Node(0, PerGroup - 1)));
        }
        return edges;
    }

    /// <summary>Paper <paramref name="k"/> of group <paramref name="group"/>.</summary>
    public static string Node(int group, int k) => $"n{group * PerGroup + k}";

    /// <summary>The edges as a TSV with the user and item header, as the CLI reads them.</summary>
    public static string[] TsvLines() => ["user\titem", .. Edges().Select(e => $"{e.User}\t{e.Item}")];

    /// <summary>An edge with its item's topic.</summary>
    public sealed class TopicEdge
    {
        public string User { get; set; } = "";
        public string Item { get; set; } = "";
        public string Topic { get; set; } = "";
    }

    /// <summary>The edges with their items' topics: a paper's group, "t0".."t3".</summary>
    public static List<TopicEdge> TopicEdges() => Edges().Select(e => new TopicEdge
    {
        User = e.User, Item = e.Item, Topic = $"t{int.Parse(e.Item[1..], System.Globalization.CultureInfo.InvariantCulture) / PerGroup}",
    }).ToList();

    /// <summary>
    /// A conditional retrieval recommender fitted on <see cref="TopicEdges"/> (the topics as item conditions; truncated-SVD
    /// vectors of dimension 4, one thread) with <paramref name="candidates"/> candidates.
    /// </summary>
    public static MultiInterestRecommender ConditionalRecommender(MLContext ml, int candidates)
    {
        var mi = ml.MultiInterest();
        return mi.CreateRecommender(MLNetTestData.KeyPipeline(ml)
            .Append(ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, nameof(TopicEdge.Topic)))
            .Append(mi.GraphEmbedding(new GraphEmbeddingTrainer.Options { Algorithm = Microsoft.ML.MultiInterest.Engine.EmbeddingAlgorithm.TruncatedSvd, Dimension = 4, Threads = 1 }))
            .Append(mi.ConditionalRetriever(new ConditionalRetrieverEstimator.Options { Candidates = candidates }))
            .Fit(ml.Data.LoadFromEnumerable(TopicEdges())));
    }
}
