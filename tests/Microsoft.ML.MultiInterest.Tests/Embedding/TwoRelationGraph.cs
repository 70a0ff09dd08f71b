using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

/// <summary>
/// A planted two-relation graph: relation 0 links users to items 0..23 (type A), relation 1 to items 24..47 (type B);
/// each type has two groups of 12. User u engages with group u mod 2 of type A and group (u / 2) mod 2 of type B, six
/// items of each, one of which is held out.
/// </summary>
internal sealed record TwoRelationGraph(BipartiteGraph Train, (int User, int Item, int Relation)[] HeldOut)
{
    public const int ItemsPerType = 24, GroupSize = 12, Items = 2 * ItemsPerType;

    /// <summary>The relation (type) of an item.</summary>
    public static int TypeOf(int item) => item / ItemsPerType;

    /// <summary>The planted group of <paramref name="user"/> in relation <paramref name="relation"/>: its items are <c>group × 12 ..</c> within the type.</summary>
    public static int GroupOf(int user, int relation) => relation == 0 ? user % 2 : (user / 2) % 2;

    /// <summary>
    /// Builds the graph. <paramref name="relationOneSeed"/> draws relation 1's edges from its own stream, so two graphs
    /// with different values share relation 0's edges exactly and differ in relation 1's.
    /// </summary>
    public static TwoRelationGraph Create(int users = 40, int seed = 1, int relationOneSeed = 2)
    {
        var edgeUsers = new List<int>();
        var items = new List<int>();
        var relations = new List<int>();
        var heldOut = new List<(int, int, int)>();
        for (int r = 0; r < 2; r++)
        {
            var random = new Random(r == 0 ? seed : relationOneSeed);
            for (int u = 0; u < users; u++)
            {
                int first = r * ItemsPerType + GroupOf(u, r) * GroupSize;
                var picks = Enumerable.Range(first, GroupSize).OrderBy(_ => random.Next()).Take(6).ToArray();
                heldOut.Add((u, picks[0], r));
                foreach (int i in picks.Skip(1))
                {
                    edgeUsers.Add(u);
                    items.Add(i);
                    relations.Add(r);
                }
            }
        }
        var graph = BipartiteGraph.FromEdges(users, Items, edgeUsers.ToArray(), items.ToArray(), default, relations.ToArray(), 2);
        return new TwoRelationGraph(graph, heldOut.ToArray());
    }

    /// <summary>
    /// AUC of relation <paramref name="relation"/>'s held-out edges against the items of the type's other group, scoring a
    /// pair by its best user component's cosine (C_d = 1); 0.5 is chance.
    /// </summary>
    public double Auc(MixtureEmbeddingResult m, int relation)
    {
        float Score(int u, int i)
        {
            float best = float.NegativeInfinity;
            for (int c = 0; c < m.SourceComponents; c++) best = Math.Max(best, VectorMath.Dot(m.UserComponents.ReadRow(u * m.SourceComponents + c), m.ItemComponents.ReadRow(i)));
            return best;
        }
        long right = 0, total = 0;
        foreach (var (u, i, r) in HeldOut)
        {
            if (r != relation) continue;
            float positive = Score(u, i);
            int otherFirst = relation * ItemsPerType + (1 - GroupOf(u, relation)) * GroupSize;
            for (int j = otherFirst; j < otherFirst + GroupSize; j++)
            {
                total++;
                if (positive > Score(u, j)) right++;
            }
        }
        return (double)right / total;
    }
}
