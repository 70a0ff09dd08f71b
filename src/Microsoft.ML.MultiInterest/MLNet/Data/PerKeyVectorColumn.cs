using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// One vector column of an edge view that belongs to a key (a user's or an item's embedding), as <see cref="EdgeRows"/> reads
/// it: the first row of each key gives its vector, checked finite; every later row is compared with it
/// (<see cref="EntityRows.RequireSame{T}"/>) unless a library stage marked the column as looked up by that key
/// (<see cref="PerKeyAnnotation"/>), when later rows are not read at all.
/// </summary>
internal sealed class PerKeyVectorColumn
{
    private readonly DataViewSchema.Column _key;
    private readonly int _keyCount;
    private readonly (string Name, string Option) _column;
    private readonly string _entity;
    private readonly KeyedEmbeddings.Builder _vectors;
    private readonly ValueGetter<VBuffer<float>> _getter;
    private readonly float[] _scratch;
    // Each key's entry in the builder, kept only when later rows are compared (keyed by row: memory follows the ids in use).
    private readonly Dictionary<int, int>? _entries;
    private VBuffer<float> _buffer;

    /// <param name="cursor">The cursor over the view, with <paramref name="vectorColumn"/> active.</param>
    /// <param name="vectorColumn">The vector column.</param>
    /// <param name="column">Its name and the option that named it.</param>
    /// <param name="key">The key column it belongs to.</param>
    /// <param name="keyCount">That key column's cardinality.</param>
    /// <param name="entity">"user" or "item", for messages.</param>
    public PerKeyVectorColumn(DataViewRowCursor cursor, DataViewSchema.Column vectorColumn, (string Name, string Option) column, DataViewSchema.Column key,
        int keyCount, string entity)
    {
        int dimension = ((VectorDataViewType)vectorColumn.Type).Size;
        _key = key;
        _keyCount = keyCount;
        _column = column;
        _entity = entity;
        _vectors = new KeyedEmbeddings.Builder(keyCount, dimension);
        _getter = cursor.GetGetter<VBuffer<float>>(vectorColumn);
        _scratch = new float[dimension];
        _entries = PerKeyAnnotation.Holds(vectorColumn, key) ? null : new Dictionary<int, int>();
    }

    /// <summary>Reads the current row's vector for key row <paramref name="row"/>; <paramref name="first"/> when the key has not occurred before.</summary>
    public void Read(int row, bool first)
    {
        if (!first && _entries == null) return;
        _getter(ref _buffer);
        VectorRows.Copy(in _buffer, _scratch, _column, _entity, (_key, _keyCount, row));
        if (!first)
        {
            EntityRows.RequireSame<float>(_vectors.Vector(_entries![row]), _scratch, _column, _entity, (_key, _keyCount, row), "vector");
            return;
        }
        RequireFinite(row);
        int entry = _vectors.Add(row, _scratch);
        if (_entries != null) _entries[row] = entry;
    }

    /// <summary>The vectors of the keys that occurred.</summary>
    public KeyedEmbeddings Build() => _vectors.Build();

    /// <summary>
    /// Refuses a NaN or infinite coordinate where it enters, and a vector too long to take (<see cref="ScorableLength"/>),
    /// naming the column, its option and the key that holds it. Taken, such an item became a zero vector in float cosines,
    /// and was refused only when a request's fold-in met it, under the user table's name.
    /// </summary>
    private void RequireFinite(int row)
    {
        for (int j = 0; j < _scratch.Length; j++)
            if (!float.IsFinite(_scratch[j]))
                throw new ArgumentException($"Input column '{_column.Name}' (option {_column.Option}) holds a non-finite value ({_scratch[j]}) at coordinate {j} "
                    + $"of {_entity} {KeyNames.Describe(_key, _keyCount, row)}: embeddings must be finite.");
        if (ScorableLength.TooLong(_scratch, out double squares))
            throw new ArgumentException($"Input column '{_column.Name}' (option {_column.Option}) holds {ScorableLength.Describe(squares)}, for {_entity} "
                + $"{KeyNames.Describe(_key, _keyCount, row)}.");
    }
}
