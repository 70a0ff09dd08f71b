using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// A tiny hand-made evaluation case with raw key columns: 3 users, 5 items in 3 dimensions, candidate lists of
/// length 3 (padded for user 1), two mixture components (one of them padding for user 1). User 2 has a scored row
/// but no held-out edge, so it is not a test user.
/// </summary>
internal static class EvaluationTestData
{
    public const int Users = 3, Items = 5, Dimension = 3, M = 3, Components = 2;

    // LoadFromEnumerable (ML.NET 5.0.1) reads a scalar [KeyType] property as a 0-based index (the stored key is the
    // value + 1), but a vector [KeyType] property as the stored keys themselves (1-based, 0 = missing). So the
    // scalar User and Item values below are rows, and the Candidates values are keys (row + 1, 0 = padding).

    public static readonly float[] ItemValues =
    [
        1, 0, 0,
        0.6f, 0.8f, 0,
        0, 2, 0,
        0, 0, 3,
        1, 1, 1,
    ];

    public sealed class Edge
    {
        [KeyType(Users)]
        public uint User { get; set; }

        [KeyType(Items)]
        public uint Item { get; set; }
    }

    public sealed class ItemRow
    {
        [KeyType(Items)]
        public uint Item { get; set; }

        [VectorType(Dimension)]
        public float[] ItemEmbedding { get; set; } = [];
    }

    public sealed class Scored
    {
        [KeyType(Users)]
        public uint User { get; set; }

        [KeyType(Items)]
        [VectorType(M)]
        public uint[] Candidates { get; set; } = [];

        [VectorType(Components)]
        public double[] MixtureWeights { get; set; } = [];

        [VectorType(Components * Dimension)]
        public float[] MixtureEmbeddings { get; set; } = [];

        [VectorType(Dimension)]
        public float[] UserEmbedding { get; set; } = [];
    }

    /// <summary>Held-out edges (rows): user 0 -> items 1, 3 (3 twice), user 1 -> item 4.</summary>
    public static Edge[] HeldOut() => [new() { User = 0, Item = 3 }, new() { User = 1, Item = 4 }, new() { User = 0, Item = 1 }, new() { User = 0, Item = 3 }];

    public static ItemRow[] ItemRows() =>
        Enumerable.Range(0, Items).Reverse().Select(i => new ItemRow { Item = (uint)i, ItemEmbedding = ItemValues.AsSpan(i * Dimension, Dimension).ToArray() })
            .Append(new ItemRow { Item = 0, ItemEmbedding = [1, 0, 0] }) // a later row of item 0 repeats it
            .ToArray();

    public static Scored[] ScoredRows() =>
    [
        new() { User = 2, Candidates = [1, 2, 3], MixtureWeights = [1, 0], MixtureEmbeddings = [1, 0, 0, 0, 0, 0], UserEmbedding = [1, 0, 0] },
        new() { User = 0, Candidates = [2, 1, 5], MixtureWeights = [0.75, 0.25], MixtureEmbeddings = [0, 1, 0, 0, 0, 1], UserEmbedding = [0, 1, 1] },
        new() { User = 1, Candidates = [3, 0, 0], MixtureWeights = [1, 0], MixtureEmbeddings = [0.6f, 0, 0.8f, 0, 0, 0], UserEmbedding = [2, 0, 0] },
        new() { User = 0, Candidates = [2, 1, 5], MixtureWeights = [0.75, 0.25], MixtureEmbeddings = [0, 1, 0, 0, 0, 1], UserEmbedding = [0, 1, 1] }, // a second row repeats the first
    ];

    /// <summary>The same case as engine inputs: test users 0 and 1 (rows), their held-out items, lists and representations.</summary>
    public static (EmbeddingMatrix UnitItems, int[][] HeldOut, int[][] Lists, (float[] Points, double[] Weights)[] Mixtures, float[][] UserEmbeddings) Engine() =>
    (
        new EmbeddingMatrix(Items, Dimension, (float[])ItemValues.Clone()).Normalized(),
        [[1, 3], [4]],
        [[1, 0, 4], [2]],
        [([0, 1, 0, 0, 0, 1], [0.75, 0.25]), ([0.6f, 0, 0.8f], [1.0])],
        [[0, 1, 1], [2, 0, 0]]
    );

    public static (IDataView Scored, IDataView HeldOut, IDataView Items) Views(MLContext ml) =>
        (ml.Data.LoadFromEnumerable(ScoredRows()), ml.Data.LoadFromEnumerable(HeldOut()), ml.Data.LoadFromEnumerable(ItemRows()));
}
