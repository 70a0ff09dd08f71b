using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The fitted kNN-Embed mixtures. Appends to each row the mixture of its user: the m component cluster keys,
/// their weights and their embeddings, in descending weight order. Users with fewer than m components
/// (or none: users without training edges, and key 0) are padded with cluster key 0, weight 0 and zero
/// embeddings, so the columns have a fixed length. Cluster keys carry KeyValues "1".."k". Saves with
/// <c>mlContext.Model.Save</c> (the neighbour lists, only needed while fitting, are not saved).
/// </summary>
public sealed class KnnSmoothedMixtureTransformer : MultiInterestTransformerBase
{
    private readonly string _userColumn;
    private readonly string _clustersColumn;
    private readonly string _weightsColumn;
    private readonly string _embeddingsColumn;

    internal KnnSmoothedMixtureTransformer(string userColumn, MixtureTable mixtures, int clusterCount, int[] users, RankedLists neighbors,
        string clustersColumn, string weightsColumn, string embeddingsColumn)
    {
        _userColumn = userColumn;
        Mixtures = mixtures;
        ClusterCount = clusterCount;
        NeighborUsers = users;
        Neighbors = neighbors;
        _clustersColumn = clustersColumn;
        _weightsColumn = weightsColumn;
        _embeddingsColumn = embeddingsColumn;
    }

    /// <summary>The mixtures, one row per user key (row = key - 1).</summary>
    public MixtureTable Mixtures { get; }

    /// <summary>Number of item clusters (the cardinality of the cluster keys).</summary>
    public int ClusterCount { get; }

    /// <summary>m, the number of components per user (the length of the cluster and weight columns).</summary>
    public int Components => Mixtures.MaxComponents;

    /// <summary>Users with training edges (rows), in the order of <see cref="Neighbors"/>.</summary>
    public IReadOnlyList<int> NeighborUsers { get; }

    /// <summary>The neighbours (user rows, best first) of each of <see cref="NeighborUsers"/>; empty lists when Lambda was 0.</summary>
    public RankedLists Neighbors { get; }

    private protected override IReadOnlyList<AppendedColumn> MakeColumns(DataViewSchema inputSchema)
    {
        var user = ColumnChecks.Key(inputSchema, _userColumn, "UserColumnName", out int users);
        ColumnChecks.SameCardinality(_userColumn, "UserColumnName", Mixtures.UserCount, users);
        int m = Mixtures.MaxComponents, d = Mixtures.Dimension;
        var clusterType = new VectorDataViewType(new KeyDataViewType(typeof(uint), ClusterCount), m);
        return
        [
            AppendedColumn.Create<VBuffer<uint>>(_clustersColumn, clusterType, [_userColumn], row =>
            {
                var getUser = UserRowGetter(row, user);
                return (ref VBuffer<uint> value) =>
                {
                    int u = getUser();
                    var editor = VBufferEditor.Create(ref value, m);
                    editor.Values.Clear();
                    var clusters = u < 0 ? default : Mixtures.Clusters(u);
                    for (int j = 0; j < clusters.Length; j++) editor.Values[j] = (uint)clusters[j] + 1;
                    value = editor.Commit();
                };
            }, PerKeyAnnotation.With(user, KeyValuesAnnotation.Of(KeyValuesAnnotation.Numbers(ClusterCount)))),
            AppendedColumn.Create<VBuffer<double>>(_weightsColumn, new VectorDataViewType(NumberDataViewType.Double, m), [_userColumn], row =>
            {
                var getUser = UserRowGetter(row, user);
                return (ref VBuffer<double> value) =>
                {
                    int u = getUser();
                    var editor = VBufferEditor.Create(ref value, m);
                    editor.Values.Clear();
                    if (u >= 0) Mixtures.Weights(u).CopyTo(editor.Values);
                    value = editor.Commit();
                };
            }, PerKeyAnnotation.With(user)),
            AppendedColumn.Create<VBuffer<float>>(_embeddingsColumn, new VectorDataViewType(NumberDataViewType.Single, m * d), [_userColumn], row =>
            {
                var getUser = UserRowGetter(row, user);
                return (ref VBuffer<float> value) =>
                {
                    int u = getUser();
                    var editor = VBufferEditor.Create(ref value, m * d);
                    editor.Values.Clear();
                    if (u >= 0) Mixtures.Embeddings(u).CopyTo(editor.Values);
                    value = editor.Commit();
                };
            }, PerKeyAnnotation.With(user, ComponentSourceAnnotation.Of(ComponentSourceAnnotation.KnnSmoothedMixture))),
        ];
    }

    private protected override ITransformer CreateSavableModel() =>
        MixturePersistence.CreateSavable(_userColumn, Mixtures, ClusterCount, _clustersColumn, _weightsColumn, _embeddingsColumn);

    /// <summary>Reads the user key of the current row as a table row (-1 for key 0, the unseen user), refusing keys beyond the table.</summary>
    private Func<int> UserRowGetter(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<uint>(column);
        uint key = 0;
        return () =>
        {
            getter(ref key);
            if (key > Mixtures.UserCount)
                throw new InvalidOperationException($"Row {row.Position}: the user key in column '{_userColumn}' is {key}, which is not a user of the fitted mixtures "
                    + $"(keys 1..{Mixtures.UserCount}).");
            return (int)key - 1;
        };
    }
}
