using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// A world whose rankings are full of exact ties and near-ties, built so that for every query. Items come in families
/// that share all coordinates but the first, which steps up one ulp from member to member (one member is an exact
/// duplicate), with the rows ascending along the steps. Every query has a large positive first coordinate, so in each
/// family the scores of neighbouring members differ by 0.6-1.2e-7 of their size (ties for the engine's
/// <see cref="TopKSelector"/>, which then takes the lower row, while ONNX TopK takes the larger float) and its ends by up
/// to 3.6e-7 (chains on which the selector's order is not transitive). A family stays inside one cluster, so the ties
/// meet inside component rankings as well as in the catalogue.
/// </summary>
internal static class NearTieWorld
{
    /// <summary>Members per family: one ulp apart, except an exact duplicate of the first.</summary>
    private static readonly int[] Steps = [0, 0, 1, 2, 3];

    public static MixtureWorld Create(int seed, int users = 40, int clusters = 5, int familiesPerCluster = 5, int components = 3, int dimension = 24)
    {
        var random = new Random(seed);
        int families = clusters * familiesPerCluster, items = families * Steps.Length;
        var itemTable = new EmbeddingMatrix(items, dimension);
        var assignments = new int[items];
        // Families take consecutive rows in a shuffled order, so clusters interleave over the catalogue.
        var order = Enumerable.Range(0, families).OrderBy(_ => random.Next()).ToArray();
        for (int slot = 0; slot < families; slot++)
        {
            int family = order[slot];
            float first = (float)(0.5 + 0.5 * random.NextDouble());
            var tail = Enumerable.Range(1, dimension - 1).Select(_ => (float)(0.5 * random.NextDouble() - 0.25)).ToArray();
            for (int member = 0; member < Steps.Length; member++)
            {
                int row = slot * Steps.Length + member;
                var vector = itemTable.Row(row);
                vector[0] = first;
                for (int step = 0; step < Steps[member]; step++) vector[0] = MathF.BitIncrement(vector[0]);
                tail.CopyTo(vector[1..]);
                assignments[row] = family % clusters;
            }
        }
        var clustering = ItemClustering.Create(assignments, clusters, itemTable);

        void Query(Span<float> vector)
        {
            vector[0] = (float)(1 + random.NextDouble());
            for (int t = 1; t < vector.Length; t++) vector[t] = (float)(0.5 * random.NextDouble() - 0.25);
        }
        var userTable = new EmbeddingMatrix(users, dimension);
        for (int u = 0; u < users; u++) Query(userTable.Row(u));
        var mixtures = new MixtureTable(users, components, dimension);
        for (int u = 0; u < users; u++)
        {
            int n = u == 0 ? 0 : 1 + random.Next(Math.Min(components, clusters));
            var chosen = Enumerable.Range(0, clusters).OrderBy(_ => random.Next()).Take(n).ToArray();
            var weights = Enumerable.Range(0, n).Select(_ => 0.05 + random.NextDouble()).OrderDescending().ToArray();
            double total = weights.Sum();
            mixtures.SetCount(u, n);
            for (int j = 0; j < n; j++)
            {
                mixtures.WritableClusters(u)[j] = chosen[j];
                mixtures.WritableWeights(u)[j] = weights[j] / total;
                Query(mixtures.WritableEmbedding(u, j));
            }
        }

        var edgeUsers = new List<int>();
        var edgeItems = new List<int>();
        for (int u = 0; u < users; u++)
        {
            // Every fourth user has seen all but 8 items, so clusters run short, the unimodal fill is needed and some lists stay short.
            int seen = u % 4 == 3 ? items - 8 : random.Next(0, items / 4);
            foreach (int i in Enumerable.Range(0, items).OrderBy(_ => random.Next()).Take(seen))
            {
                edgeUsers.Add(u);
                edgeItems.Add(i);
            }
        }
        return new MixtureWorld(userTable, itemTable, clustering, mixtures, BipartiteGraph.FromEdges(users, items, edgeUsers.ToArray(), edgeItems.ToArray()));
    }
}
