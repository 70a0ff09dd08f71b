using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Embeddings of the keys of a key column that have one: a vector per key with a row (row = key - 1), stored for those
/// keys only, so memory follows the ids in use, not the key range (a <c>KeyType(10_000_000)</c> column with 2,000 users
/// in use holds 2,000 vectors). A key without a row has no vector: <see cref="Contains"/> is false and
/// <see cref="TryGetVector"/> fails; it is never padded with a zero vector that could pass for a learned one.
/// </summary>
/// <remarks>Immutable once built, except through <see cref="Vectors"/>, whose buffer is shared; thread-safe for reading.</remarks>
public sealed class KeyedEmbeddings
{
    private readonly int[] _rows;

    /// <summary>Wraps the vectors of the rows <paramref name="rows"/> (not copied).</summary>
    /// <param name="keyCount">The key range: rows 0..keyCount-1 (the key column's cardinality).</param>
    /// <param name="rows">The rows (key - 1) that have a vector, strictly ascending.</param>
    /// <param name="vectors">One vector per entry of <paramref name="rows"/>, in the same order.</param>
    /// <exception cref="ArgumentException">The rows are not strictly ascending inside the range, or their count is not the vectors'.</exception>
    public KeyedEmbeddings(int keyCount, int[] rows, EmbeddingMatrix vectors)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(vectors);
        if (keyCount < 0) throw new ArgumentOutOfRangeException(nameof(keyCount), keyCount, "The key count cannot be negative.");
        if (rows.Length != vectors.Rows)
            throw new ArgumentException($"There are {rows.Length} rows but {vectors.Rows} vectors.", nameof(vectors));
        for (int j = 0; j < rows.Length; j++)
        {
            if ((uint)rows[j] >= (uint)keyCount || (j > 0 && rows[j] <= rows[j - 1]))
                throw new ArgumentException($"Row {rows[j]} (entry {j}) is out of the key range 0..{keyCount - 1} or not above the previous row: rows must be strictly ascending.", nameof(rows));
        }
        KeyCount = keyCount;
        _rows = rows;
        Vectors = vectors;
    }

    /// <summary>One vector per row of <paramref name="dense"/> (its rows are the whole key range; the matrix is not copied).</summary>
    /// <param name="dense">One row per key (row = key - 1); held, not copied.</param>
    /// <returns>Embeddings with a vector for every key of <paramref name="dense"/>'s rows.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dense"/> is null.</exception>
    public static KeyedEmbeddings FromDense(EmbeddingMatrix dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        return new KeyedEmbeddings(dense.Rows, Enumerable.Range(0, dense.Rows).ToArray(), dense);
    }

    /// <summary>The key range: rows 0..KeyCount-1 (the key column's cardinality).</summary>
    public int KeyCount { get; }

    /// <summary>The embedding dimension.</summary>
    public int Dimension => Vectors.Dimension;

    /// <summary>How many keys have a vector.</summary>
    public int Count => _rows.Length;

    /// <summary>The rows (key - 1) that have a vector, ascending; entry j's vector is row j of <see cref="Vectors"/>.</summary>
    public IReadOnlyList<int> Rows => _rows;

    /// <summary>The vectors of <see cref="Rows"/>, in that order.</summary>
    public EmbeddingMatrix Vectors { get; }

    /// <summary>Whether every key of the range has a vector.</summary>
    public bool IsDense => _rows.Length == KeyCount;

    /// <summary>Whether row <paramref name="row"/> (key - 1) has a vector.</summary>
    /// <param name="row">The row (key - 1); any value, one outside the key range has no vector.</param>
    /// <returns>True if the row has a vector.</returns>
    public bool Contains(int row) => IndexOf(row) >= 0;

    /// <summary>The vector of row <paramref name="row"/> (key - 1), if it has one.</summary>
    /// <param name="row">The row (key - 1); any value, one outside the key range has no vector.</param>
    /// <param name="vector">The row's vector (a view of <see cref="Vectors"/>, not a copy), or an empty span when it has none.</param>
    /// <returns>True if the row has a vector.</returns>
    public bool TryGetVector(int row, out ReadOnlySpan<float> vector)
    {
        int index = IndexOf(row);
        vector = index < 0 ? default : Vectors.ReadRow(index);
        return index >= 0;
    }

    /// <summary>
    /// A table of one row per key (row = key - 1), the layout the engine's searches take, with zero rows for the keys without a
    /// vector. Costs KeyCount x Dimension floats: use it on dense key ranges, or read <see cref="Rows"/> and <see cref="Vectors"/>.
    /// </summary>
    /// <returns>A new matrix of <see cref="KeyCount"/> rows and <see cref="Dimension"/> columns.</returns>
    public EmbeddingMatrix ToDense()
    {
        var dense = new EmbeddingMatrix(KeyCount, Dimension);
        for (int j = 0; j < _rows.Length; j++) Vectors.ReadRow(j).CopyTo(dense.Row(_rows[j]));
        return dense;
    }

    /// <summary><see cref="Vectors"/> itself when every key has a vector (no copy), else <see cref="ToDense"/>.</summary>
    internal EmbeddingMatrix DenseView() => IsDense ? Vectors : ToDense();

    /// <summary>The index of row <paramref name="row"/> in <see cref="Rows"/> and <see cref="Vectors"/>, or -1.</summary>
    internal int IndexOf(int row)
    {
        if ((uint)row >= (uint)KeyCount) return -1;
        if (IsDense) return row;
        int index = Array.BinarySearch(_rows, row);
        return index >= 0 ? index : -1;
    }

    /// <summary>The rows as an array (shared, not copied).</summary>
    internal int[] RowArray => _rows;

    /// <summary>
    /// The vectors of the rows <paramref name="rows"/>, in that order. A row without a vector is an error, unless
    /// <paramref name="absentAsZero"/>: then it reads as the zero vector, which is what an embedding column gives such a key
    /// (serving reads a trained user's vector as its retrieval stage read it from that column at Fit).
    /// </summary>
    internal EmbeddingMatrix Gather(IReadOnlyList<int> rows, bool absentAsZero = false)
    {
        var gathered = new EmbeddingMatrix(rows.Count, Dimension);
        for (int j = 0; j < rows.Count; j++)
        {
            int index = IndexOf(rows[j]);
            if (index < 0 && absentAsZero) continue;
            if (index < 0) throw new ArgumentException($"Row {rows[j]} has no vector.", nameof(rows));
            Vectors.ReadRow(index).CopyTo(gathered.Row(j));
        }
        return gathered;
    }

    /// <summary>Collects vectors by row in any order (the first vector of a row wins), then sorts them by row.</summary>
    internal sealed class Builder(int keyCount, int dimension)
    {
        private readonly List<int> _rows = [];
        private readonly List<float> _values = [];

        public int Dimension => dimension;

        /// <summary>Adds the vector of <paramref name="row"/>; returns its entry, for <see cref="Vector"/>.</summary>
        public int Add(int row, ReadOnlySpan<float> vector)
        {
            _rows.Add(row);
            foreach (float v in vector) _values.Add(v);
            return _rows.Count - 1;
        }

        /// <summary>The vector added as entry <paramref name="entry"/> (valid until the next <see cref="Add"/>).</summary>
        public ReadOnlySpan<float> Vector(int entry) =>
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values).Slice(entry * dimension, dimension);

        /// <summary>The collected rows; the caller adds each row once.</summary>
        public KeyedEmbeddings Build()
        {
            var order = Enumerable.Range(0, _rows.Count).OrderBy(j => _rows[j]).ToArray();
            var rows = new int[order.Length];
            var vectors = new EmbeddingMatrix(order.Length, dimension);
            var values = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values);
            for (int j = 0; j < order.Length; j++)
            {
                rows[j] = _rows[order[j]];
                values.Slice(order[j] * dimension, dimension).CopyTo(vectors.Row(j));
            }
            return new KeyedEmbeddings(keyCount, rows, vectors);
        }
    }
}
