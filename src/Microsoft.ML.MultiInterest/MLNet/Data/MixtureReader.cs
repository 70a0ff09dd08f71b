using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Reads per-user mixtures back from the three mixture columns (first row of each user): cluster keys,
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
        var seen = new bool[userCount];
        using var cursor = data.GetRowCursor([userColumn, clusterColumn, weightColumn, embeddingColumn]);
        var getUser = cursor.GetGetter<uint>(userColumn);
        var getClusters = cursor.GetGetter<VBuffer<uint>>(clusterColumn);
        var getWeights = cursor.GetGetter<VBuffer<double>>(weightColumn);
        var getEmbeddings = cursor.GetGetter<VBuffer<float>>(embeddingColumn);
        uint key = 0;
        VBuffer<uint> c = default;
        VBuffer<double> w = default;
        VBuffer<float> e = default;
        var embeddingValues = new float[m * dimension];
        while (cursor.MoveNext())
        {
            getUser(ref key);
            if (key == 0 || seen[key - 1]) continue;
            int u = (int)key - 1;
            seen[u] = true;
            getClusters(ref c);
            getWeights(ref w);
            getEmbeddings(ref e);
            e.CopyTo(embeddingValues);
            var cs = c.DenseValues().ToArray();
            var ws = w.DenseValues().ToArray();
            int n = 0;
            for (int j = 0; j < m; j++)
            {
                if (cs[j] == 0 || !(ws[j] > 0)) continue;
                table.WritableClusters(u)[n] = (int)cs[j] - 1;
                table.WritableWeights(u)[n] = ws[j];
                embeddingValues.AsSpan(j * dimension, dimension).CopyTo(table.WritableEmbedding(u, n));
                n++;
            }
            table.SetCount(u, n);
        }
        return table;
    }

    /// <summary>The distinct user rows of the data: the table stores rows for these only, so a wide key range costs 4 bytes a key.</summary>
    private static List<int> UsersIn(IDataView data, DataViewSchema.Column userColumn, int userCount)
    {
        var seen = new bool[userCount];
        var users = new List<int>();
        using var cursor = data.GetRowCursor([userColumn]);
        var getUser = cursor.GetGetter<uint>(userColumn);
        uint key = 0;
        while (cursor.MoveNext())
        {
            getUser(ref key);
            if (key == 0 || seen[key - 1]) continue;
            seen[key - 1] = true;
            users.Add((int)key - 1);
        }
        return users;
    }
}
