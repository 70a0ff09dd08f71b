namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Trains the list centroids of <see cref="ClusteredNeighborIndex"/> with <see cref="SphericalKMeans"/> on a deterministic
/// sample of the rows, then puts every row in the list of its nearest centroid (ties to the lower list).
/// </summary>
internal static class CoarseQuantizer
{
    /// <summary>The trained centroids and each row's list.</summary>
    /// <param name="Centroids">Unit centroids, one row per list.</param>
    /// <param name="Lists">The list of each given row, in the order of <c>rows</c>.</param>
    public readonly record struct Result(EmbeddingMatrix Centroids, int[] Lists);

    /// <summary>Clusters <paramref name="unit"/> (row-major unit or zero rows, <paramref name="count"/> of them, padded to a
    /// multiple of <see cref="NearestCentroidKernel.PointTile"/> rows) into at most <paramref name="lists"/> lists.</summary>
    public static Result Train(float[] unit, int count, int dimension, int lists, ClusteredNeighborIndexOptions o)
    {
        var nonZero = new List<int>(count);
        for (int i = 0; i < count; i++)
        {
            if (VectorMath.Dot(unit.AsSpan(i * dimension, dimension), unit.AsSpan(i * dimension, dimension)) > 0) nonZero.Add(i);
        }
        if (nonZero.Count == 0)
        {
            // No row has a direction: one list holds them all and every score is 0.
            return new Result(new EmbeddingMatrix(1, dimension), new int[count]);
        }
        lists = Math.Min(lists, nonZero.Count);
        var sample = Sample(nonZero, (long)lists * o.TrainingPointsPerList, o.Seed);
        var points = new EmbeddingMatrix(sample.Length, dimension);
        for (int s = 0; s < sample.Length; s++) unit.AsSpan(sample[s] * dimension, dimension).CopyTo(points.Row(s));
        var fit = SphericalKMeans.Fit(points, new SphericalKMeansOptions
        {
            Clusters = lists,
            MaxIterations = o.TrainingIterations,
            Seed = o.Seed,
            Threads = o.Threads,
        });
        return new Result(fit.Centroids, Assign(unit, count, dimension, fit.Centroids, o.Threads));
    }

    /// <summary>At most <paramref name="max"/> of <paramref name="rows"/>, drawn by a seeded partial shuffle and kept in row order.</summary>
    private static int[] Sample(List<int> rows, long max, int seed)
    {
        if (rows.Count <= max) return rows.ToArray();
        var pool = rows.ToArray();
        var random = new SplitMix64(seed);
        for (int i = 0; i < max; i++)
        {
            int j = i + random.NextInt(pool.Length - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        var sample = pool[..(int)max];
        Array.Sort(sample);
        return sample;
    }

    /// <summary>The nearest centroid of every row, by the k-means assignment kernel (zero rows go to list 0).</summary>
    private static int[] Assign(float[] unit, int count, int dimension, EmbeddingMatrix centroids, int threads)
    {
        int workers = Parallelism.Workers(threads);
        var kernel = new NearestCentroidKernel(centroids.Rows, dimension, workers);
        kernel.Pack(centroids.Values);
        var lists = new int[count];
        var scores = new float[workers][];
        for (int w = 0; w < workers; w++) scores[w] = new float[NearestCentroidKernel.BlockPoints];
        int blocks = (count + NearestCentroidKernel.BlockPoints - 1) / NearestCentroidKernel.BlockPoints;
        BlockParallel.For(blocks, workers, (worker, block) =>
        {
            int start = block * NearestCentroidKernel.BlockPoints;
            int n = Math.Min(NearestCentroidKernel.BlockPoints, count - start);
            kernel.AssignBlock(worker, unit, start, n, lists.AsSpan(start, n), scores[worker].AsSpan(0, n));
        }, CancellationToken.None);
        return lists;
    }
}
