namespace Microsoft.ML.MultiInterest.Tests.Evaluation;

/// <summary>
/// Slow but obviously correct reference solutions of the transportation problem, used to check the
/// exact solver: vertex enumeration, brute-force assignment, the 1-D CDF formula and the 2-source greedy.
/// </summary>
internal static class TransportReference
{
    public static double[] Costs(float[] sources, int s, float[] targets, int t, int d)
    {
        var cost = new double[s * t];
        for (int i = 0; i < s; i++)
        for (int j = 0; j < t; j++)
        {
            double sq = 0;
            for (int k = 0; k < d; k++)
            {
                double diff = (double)sources[i * d + k] - targets[j * d + k];
                sq += diff * diff;
            }

            cost[i * t + j] = Math.Sqrt(sq);
        }

        return cost;
    }

    public static double[] Normalize(double[] w)
    {
        double sum = w.Sum();
        return w.Select(x => x / sum).ToArray();
    }

    /// <summary>
    /// The LP optimum by enumerating every basis: each vertex of the transportation polytope is the unique
    /// flow supported on some spanning tree of K(s,t); the optimum is the cheapest non-negative one.
    /// </summary>
    public static double VertexEnumeration(double[] cost, double[] a, double[] b)
    {
        int s = a.Length, t = b.Length, cells = s * t, size = s + t - 1;
        a = Normalize(a);
        b = Normalize(b);
        double best = double.PositiveInfinity;
        var chosen = new int[size];

        void Recurse(int start, int depth)
        {
            if (depth == size)
            {
                double? value = TreeFlowCost(chosen, cost, a, b, s, t);
                if (value is double v && v < best) best = v;
                return;
            }

            for (int c = start; c <= cells - (size - depth); c++)
            {
                chosen[depth] = c;
                Recurse(c + 1, depth + 1);
            }
        }

        Recurse(0, 0);
        return best;
    }

    private static double? TreeFlowCost(int[] chosen, double[] cost, double[] a, double[] b, int s, int t)
    {
        int nodes = s + t;
        var parent = Enumerable.Range(0, nodes).ToArray();
        int Find(int x) => parent[x] == x ? x : parent[x] = Find(parent[x]);
        foreach (int c in chosen)
        {
            int u = Find(c / t), v = Find(s + c % t);
            if (u == v) return null; // a cycle: not a basis
            parent[u] = v;
        }

        // Peel leaves: a leaf's single edge must carry exactly the leaf's remaining mass.
        var mass = new double[nodes];
        for (int i = 0; i < s; i++) mass[i] = a[i];
        for (int j = 0; j < t; j++) mass[s + j] = b[j];
        var used = new bool[chosen.Length];
        double total = 0;
        for (int step = 0; step < chosen.Length; step++)
        {
            var degree = new int[nodes];
            for (int e = 0; e < chosen.Length; e++)
            {
                if (used[e]) continue;
                degree[chosen[e] / t]++;
                degree[s + chosen[e] % t]++;
            }

            int edge = -1, leaf = -1;
            for (int e = 0; e < chosen.Length && edge < 0; e++)
            {
                if (used[e]) continue;
                int u = chosen[e] / t, v = s + chosen[e] % t;
                if (degree[u] == 1) { edge = e; leaf = u; }
                else if (degree[v] == 1) { edge = e; leaf = v; }
            }

            int other = leaf == chosen[edge] / t ? s + chosen[edge] % t : chosen[edge] / t;
            double f = mass[leaf];
            if (f < -1e-12) return null; // infeasible basis
            mass[leaf] = 0;
            mass[other] -= f;
            used[edge] = true;
            total += f * cost[chosen[edge]];
        }

        return total;
    }

    /// <summary>
    /// Sources with integer multiplicities summing to t, targets uniform: the optimum is the cheapest
    /// assignment of the expanded source copies to the targets (Birkhoff), found over all permutations.
    /// </summary>
    public static double BestAssignment(double[] cost, int[] multiplicity, int t)
    {
        var owner = new List<int>();
        for (int i = 0; i < multiplicity.Length; i++)
            for (int m = 0; m < multiplicity[i]; m++) owner.Add(i);
        var perm = Enumerable.Range(0, t).ToArray();
        double best = double.PositiveInfinity;

        void Permute(int k)
        {
            if (k == t)
            {
                double sum = 0;
                for (int q = 0; q < t; q++) sum += cost[owner[q] * t + perm[q]];
                best = Math.Min(best, sum / t);
                return;
            }

            for (int q = k; q < t; q++)
            {
                (perm[k], perm[q]) = (perm[q], perm[k]);
                Permute(k + 1);
                (perm[k], perm[q]) = (perm[q], perm[k]);
            }
        }

        Permute(0);
        return best;
    }

    /// <summary>In one dimension EMD = ∫ |F_a(x) − F_b(x)| dx.</summary>
    public static double CdfIntegral(float[] xa, double[] a, float[] xb, double[] b)
    {
        a = Normalize(a);
        b = Normalize(b);
        var events = xa.Select((x, i) => ((double)x, a[i])).Concat(xb.Select((x, j) => ((double)x, -b[j])))
            .OrderBy(e => e.Item1).ToArray();
        double total = 0, difference = 0;
        for (int k = 0; k < events.Length; k++)
        {
            if (k > 0) total += Math.Abs(difference) * (events[k].Item1 - events[k - 1].Item1);
            difference += events[k].Item2;
        }

        return total;
    }

    /// <summary>With two sources, send source 0's mass to the targets where it is relatively cheapest.</summary>
    public static double TwoSourceGreedy(double[] cost, double[] a, double[] b)
    {
        int t = b.Length;
        a = Normalize(a);
        b = Normalize(b);
        double total = 0;
        for (int j = 0; j < t; j++) total += b[j] * cost[t + j];
        double left = a[0];
        foreach (int j in Enumerable.Range(0, t).OrderBy(j => cost[j] - cost[t + j]))
        {
            double x = Math.Min(left, b[j]);
            total += x * (cost[j] - cost[t + j]);
            left -= x;
        }

        return total;
    }
}
