using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// A small random world for the mixture export tests: skewed clusters (some of one or two items, one
/// empty), users with 0..m components (some with equal weights), and seen items heavy enough that clusters
/// run short of their quotas and some lists run short of M altogether.
/// </summary>
internal sealed record MixtureWorld(EmbeddingMatrix Users, EmbeddingMatrix Items, ItemClustering Clustering, MixtureTable Mixtures, BipartiteGraph Seen)
{
    /// <summary>Builds a world; with <paramref name="integers"/> every embedding value is a small integer, so every dot product is exact and ties are real.</summary>
    public static MixtureWorld Create(int seed, int users = 24, int items = 60, int clusters = 7, int components = 3, int dimension = 5, bool integers = false)
    {
        var random = new Random(seed);
        float Value() => integers ? random.Next(-2, 3) : (float)(random.NextDouble() * 2 - 1);
        var userTable = new EmbeddingMatrix(users, dimension);
        var itemTable = new EmbeddingMatrix(items, dimension);
        for (int i = 0; i < userTable.Values.Length; i++) userTable.Values[i] = Value();
        for (int i = 0; i < itemTable.Values.Length; i++) itemTable.Values[i] = Value();
        // An all-zero row holds no item for the engine's retrievers (ZeroItems): a small-integer draw of one gets a coordinate,
        // so every row stays an item the graphs and the engine both rank (the random stream is unchanged).
        for (int i = 0; i < items; i++)
            if (!itemTable.ReadRow(i).ContainsAnyExcept(0f)) itemTable.Row(i)[0] = 1;

        // Cluster c is about half as likely as cluster c - 1; the last cluster stays empty.
        var assignments = new int[items];
        for (int i = 0; i < items; i++)
        {
            int c = 0;
            while (c < clusters - 2 && random.NextDouble() < 0.5) c++;
            assignments[i] = c;
        }
        var clustering = ItemClustering.Create(assignments, clusters, itemTable);

        var mixtures = new MixtureTable(users, components, dimension);
        for (int u = 0; u < users; u++)
        {
            int n = u == 0 ? 0 : 1 + random.Next(components);
            var chosen = Enumerable.Range(0, clusters).OrderBy(_ => random.Next()).Take(n).ToArray();
            var weights = u % 5 == 1
                ? Enumerable.Repeat(1.0 / n, n).ToArray() // equal weights: quota ties go to the lower cluster
                : Enumerable.Range(0, n).Select(_ => 0.05 + random.NextDouble()).ToArray();
            double total = weights.Sum();
            var order = Enumerable.Range(0, n).OrderByDescending(j => weights[j]).ThenBy(j => chosen[j]).ToArray();
            mixtures.SetCount(u, n);
            for (int j = 0; j < n; j++)
            {
                mixtures.WritableClusters(u)[j] = chosen[order[j]];
                mixtures.WritableWeights(u)[j] = weights[order[j]] / total;
                var embedding = mixtures.WritableEmbedding(u, j);
                for (int t = 0; t < dimension; t++) embedding[t] = Value();
            }
        }

        var edgeUsers = new List<int>();
        var edgeItems = new List<int>();
        for (int u = 0; u < users; u++)
        {
            // Every fourth user has seen nearly everything, so even the fallback runs short.
            int seen = u % 4 == 3 ? items - 4 : random.Next(0, items / 2);
            foreach (int i in Enumerable.Range(0, items).OrderBy(_ => random.Next()).Take(seen))
            {
                edgeUsers.Add(u);
                edgeItems.Add(i);
            }
        }
        var graph = BipartiteGraph.FromEdges(users, items, edgeUsers.ToArray(), edgeItems.ToArray());
        return new MixtureWorld(userTable, itemTable, clustering, mixtures, graph);
    }

    /// <summary>The engine's lists: <see cref="ClusterQuotaRetriever"/> with the unimodal top M as fallback, as the estimator builds it.</summary>
    public RankedLists Expected(IReadOnlyList<int> served, int candidates, double alpha, bool excludeSeen)
    {
        var exclusions = excludeSeen ? Seen : null;
        var fallback = new UnimodalRetriever(Items).Retrieve(Users, served, exclusions, candidates, threads: 1);
        return new ClusterQuotaRetriever(Items, Clustering).Retrieve(Mixtures, served, exclusions, [candidates], alpha, fallback, threads: 1)[0];
    }

    /// <summary>
    /// True when some ranking the user's list is drawn from (a component's cluster, or the catalogue for the
    /// fallback) has two eligible scores within <paramref name="tolerance"/>: there the float summation order
    /// of ONNX Runtime and the engine may legitimately pick different items.
    /// </summary>
    public bool HasNearTie(int user, bool excludeSeen, double tolerance)
    {
        bool Eligible(int item) => !excludeSeen || !Seen.Contains(user, item);
        bool Tied(IEnumerable<double> scores)
        {
            var sorted = scores.Order().ToArray();
            for (int i = 1; i < sorted.Length; i++)
                if (sorted[i] - sorted[i - 1] <= tolerance) return true;
            return false;
        }
        var clusters = Mixtures.Clusters(user);
        for (int j = 0; j < clusters.Length; j++)
        {
            var query = Mixtures.Embedding(user, j).ToArray();
            var members = Clustering.MembersOf(clusters[j]).ToArray();
            if (Tied(members.Where(Eligible).Select(i => Dot(query, Items.ReadRow(i))))) return true;
        }
        var userRow = Users.ReadRow(user).ToArray();
        return Tied(Enumerable.Range(0, Items.Rows).Where(Eligible).Select(i => Dot(userRow, Items.ReadRow(i))));
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }
}
