using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Reads per-user mixtures back from the three mixture columns (first row of each user; later rows must repeat it): cluster keys,
/// Double weights and concatenated component embeddings. Components with key 0 or weight 0 are padding.
/// </summary>
internal static class MixtureReader
{
    public static MixtureTable Read(IDataView data, (string Name, string Option) user, (string Name, string Option) clusters,
        (string Name, string Option) weights, (string Name, string Option) embeddings, int clusterCount, int dimension)
    {
        var schema = data.Schema;
        var userColumn = ColumnChecks.Key(schema, user.Name, user.Option, out int userCount);
        var clusterColumn = ColumnChecks.KeyVector(schema, clusters.Name, clusters.Option, out int m, out int clusterKeys);
        ColumnChecks.SameCardinality(clusters.Name, clusters.Option, clusterCount, clusterKeys);
        var weightColumn = ColumnChecks.DoubleVector(schema, weights.Name, weights.Option, out int weightSize);
        ColumnChecks.SameSize(weights.Name, weights.Option, m, weightSize);
        var embeddingColumn = ColumnChecks.FloatVector(schema, embeddings.Name, embeddings.Option, out int embeddingSize);
        ColumnChecks.SameSize(embeddings.Name, embeddings.Option, m * dimension, embeddingSize);

        var table = MixtureTable.ForUsers(userCount, UsersIn(data, userColumn, userCount), m, dimension);
        var seen = new KeyFlags(userCount);
        using var cursor = data.GetRowCursor([userColumn, clusterColumn, weightColumn, embeddingColumn]);
        var getUser = cursor.GetGetter<uint>(userColumn);
        var getClusters = cursor.GetGetter<VBuffer<uint>>(clusterColumn);
        var getWeights = cursor.GetGetter<VBuffer<double>>(weightColumn);
        var getEmbeddings = cursor.GetGetter<VBuffer<float>>(embeddingColumn);
        uint key = 0;
        VBuffer<uint> c = default;
        VBuffer<double> w = default;
        VBuffer<float> e = default;
        var clusterValues = new uint[m];
        var weightValues = new double[m];
        var embeddingValues = new float[m * dimension];
        // Columns a stage looked up by this very user column hold one mixture per user: their later rows need no reading.
        bool checkRows = !(PerKeyAnnotation.Holds(clusterColumn, userColumn) && PerKeyAnnotation.Holds(weightColumn, userColumn)
            && PerKeyAnnotation.Holds(embeddingColumn, userColumn));
        while (cursor.MoveNext())
        {
            getUser(ref key);
            if (key == 0 || (!checkRows && seen[(int)key - 1])) continue;
            int u = (int)key - 1;
            getClusters(ref c);
            getWeights(ref w);
            getEmbeddings(ref e);
            var owner = (userColumn, userCount, u);
            VectorRows.Copy(in c, clusterValues, clusters, "user", owner);
            VectorRows.Copy(in w, weightValues, weights, "user", owner);
            VectorRows.Copy(in e, embeddingValues, embeddings, "user", owner);
            if (!seen[u])
            {
                seen.Set(u);
                RequireFinite(weightValues, weights, u);
                RequireFinite(embeddingValues, embeddings, u);
                RequireScorable(embeddingValues, dimension, embeddings, u);
                Write(table, u, clusterValues, weightValues, embeddingValues, dimension);
            }
            // A user's mixture belongs to the user: every later row must repeat the first (one that did not would be dropped unread).
            else if (!SameAsTable(table, u, clusterValues, weightValues, embeddingValues, dimension))
            {
                throw new ArgumentException($"Input columns '{clusters.Name}', '{weights.Name}' and '{embeddings.Name}' (options {clusters.Option}, {weights.Option}, "
                    + $"{embeddings.Option}) give user {KeyNames.Describe(userColumn, userCount, u)} two mixtures (its first row and a later one differ): they must hold "
                    + "one mixture per user, the same on all of the user's rows (it belongs to the user, not to the edge).", nameof(data));
            }
        }
        return table;
    }

    /// <summary>Writes the components of one row (key 0 or weight 0 are padding) as user <paramref name="u"/>'s mixture.</summary>
    private static void Write(MixtureTable table, int u, uint[] clusters, double[] weights, float[] embeddings, int dimension)
    {
        int n = 0;
        for (int j = 0; j < clusters.Length; j++)
        {
            if (clusters[j] == 0 || !(weights[j] > 0)) continue;
            table.WritableClusters(u)[n] = (int)clusters[j] - 1;
            table.WritableWeights(u)[n] = weights[j];
            embeddings.AsSpan(j * dimension, dimension).CopyTo(table.WritableEmbedding(u, n));
            n++;
        }
        table.SetCount(u, n);
    }

    /// <summary>Whether one row's components are the ones user <paramref name="u"/>'s first row wrote.</summary>
    private static bool SameAsTable(MixtureTable table, int u, uint[] clusters, double[] weights, float[] embeddings, int dimension)
    {
        int n = 0, count = table.ComponentCount(u);
        for (int j = 0; j < clusters.Length; j++)
        {
            if (clusters[j] == 0 || !(weights[j] > 0)) continue;
            if (n == count || table.Clusters(u)[n] != (int)clusters[j] - 1 || !table.Weights(u)[n].Equals(weights[j])
                || !table.Embedding(u, n).SequenceEqual(embeddings.AsSpan(j * dimension, dimension)))
                return false;
            n++;
        }
        return n == count;
    }

    /// <summary>Refuses a component embedding (each <paramref name="dimension"/> values) too long to take (<see cref="ScorableLength"/>).</summary>
    private static void RequireScorable(float[] values, int dimension, (string Name, string Option) column, int user)
    {
        int c = ScorableLength.FirstTooLong(values, dimension, out double squares);
        if (c >= 0)
            throw new ArgumentException($"Input column '{column.Name}' (option {column.Option}) holds {ScorableLength.Describe(squares)}, as component {c + 1} "
                + $"of user key {user + 1}.", "data");
    }

    private static void RequireFinite<T>(T[] values, (string Name, string Option) column, int user) where T : System.Numerics.IFloatingPointIeee754<T>
    {
        for (int j = 0; j < values.Length; j++)
            if (!T.IsFinite(values[j]))
                throw new ArgumentException($"Input column '{column.Name}' (option {column.Option}) holds a non-finite value ({values[j]}) at index {j} of user key {user + 1}: "
                    + "mixtures must be finite.", "data");
    }

    /// <summary>The distinct user rows of the data: the table stores rows for these only, so a wide key range costs 4 bytes a key.</summary>
    private static List<int> UsersIn(IDataView data, DataViewSchema.Column userColumn, int userCount)
    {
        var seen = new KeyFlags(userCount);
        var users = new List<int>();
        using var cursor = data.GetRowCursor([userColumn]);
        var getUser = cursor.GetGetter<uint>(userColumn);
        uint key = 0;
        while (cursor.MoveNext())
        {
            getUser(ref key);
            if (key == 0 || seen[(int)key - 1]) continue;
            seen.Set((int)key - 1);
            users.Add((int)key - 1);
        }
        return users;
    }
}
