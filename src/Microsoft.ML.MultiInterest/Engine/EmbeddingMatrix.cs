namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A dense row-major table of embeddings: one row of <see cref="Dimension"/> floats per entity.
/// Row order matters: it is the tie-breaking order of every search in the library.
/// </summary>
public sealed class EmbeddingMatrix
{
    /// <summary>Creates a zero-filled table.</summary>
    /// <param name="rows">Number of rows (entities); at least 0.</param>
    /// <param name="dimension">Number of columns; at least 1.</param>
    public EmbeddingMatrix(int rows, int dimension)
        : this(rows, dimension, new float[Length(rows, dimension)])
    {
    }

    /// <summary>rows x dimension, checked as the other constructor checks them (the allocation comes first).</summary>
    private static int Length(int rows, int dimension)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "Row count must not be negative.");
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Dimension must be at least 1.");
        long length = (long)rows * dimension;
        if (length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"{rows} x {dimension} = {length} values are more than one array holds ({Array.MaxLength}).");
        return (int)length;
    }

    /// <summary>Wraps an existing row-major buffer (not copied).</summary>
    /// <param name="rows">Number of rows.</param>
    /// <param name="dimension">Number of columns.</param>
    /// <param name="values">Row-major values; its length must be <paramref name="rows"/> x <paramref name="dimension"/>.</param>
    public EmbeddingMatrix(int rows, int dimension, float[] values)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "Row count must not be negative.");
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Dimension must be at least 1.");
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != (long)rows * dimension)
            throw new ArgumentException($"Expected {rows} x {dimension} = {(long)rows * dimension} values but got {values.Length}.", nameof(values));
        Rows = rows;
        Dimension = dimension;
        Values = values;
    }

    /// <summary>Number of rows (entities).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (embedding dimension).</summary>
    public int Dimension { get; }

    /// <summary>The row-major backing buffer.</summary>
    public float[] Values { get; }

    /// <summary>A writable view of row <paramref name="row"/>.</summary>
    /// <param name="row">A row index, 0 to <see cref="Rows"/> - 1.</param>
    /// <returns>A writable view of the row's <see cref="Dimension"/> values, no copy.</returns>
    public Span<float> Row(int row) => Values.AsSpan(row * Dimension, Dimension);

    /// <summary>A read-only view of row <paramref name="row"/>.</summary>
    /// <param name="row">A row index, 0 to <see cref="Rows"/> - 1.</param>
    /// <returns>A read-only view of the row's <see cref="Dimension"/> values, no copy.</returns>
    public ReadOnlySpan<float> ReadRow(int row) => new(Values, row * Dimension, Dimension);

    /// <summary>A deep copy of this table.</summary>
    /// <returns>A new matrix with copied values.</returns>
    public EmbeddingMatrix Clone() => new(Rows, Dimension, (float[])Values.Clone());

    /// <summary>
    /// Writes the mean of rows <paramref name="rows"/> to <paramref name="destination"/> (summed in row order, then scaled: the
    /// vector a user known by that history gets); zeros for no rows.
    /// </summary>
    internal void MeanOf(ReadOnlySpan<int> rows, Span<float> destination)
    {
        destination.Clear();
        if (rows.IsEmpty) return;
        foreach (int r in rows) VectorMath.AddScaled(destination, ReadRow(r), 1f);
        float scale = 1f / rows.Length;
        for (int k = 0; k < destination.Length; k++) destination[k] *= scale;
    }

    /// <summary>
    /// <c>results[i] = VectorMath.Dot(query, ReadRow(rows[i]))</c> bit for bit, computed four rows at a time
    /// (<see cref="VectorMath.DotFour"/>): the scoring of a short list of rows against one vector.
    /// </summary>
    internal void DotRows(ReadOnlySpan<float> query, ReadOnlySpan<int> rows, Span<float> results)
    {
        if (results.Length < rows.Length) throw new ArgumentException($"{results.Length} results for {rows.Length} rows.", nameof(results));
        int i = 0;
        for (; i + 4 <= rows.Length; i += 4)
            VectorMath.DotFour(query, ReadRow(rows[i]), ReadRow(rows[i + 1]), ReadRow(rows[i + 2]), ReadRow(rows[i + 3]),
                out results[i], out results[i + 1], out results[i + 2], out results[i + 3]);
        for (; i < rows.Length; i++) results[i] = VectorMath.Dot(query, ReadRow(rows[i]));
    }

    /// <summary>A copy whose rows are scaled to unit Euclidean length (zero rows stay zero).</summary>
    /// <returns>A new matrix; this one is unchanged.</returns>
    public EmbeddingMatrix Normalized()
    {
        var copy = Clone();
        for (int r = 0; r < Rows; r++) VectorMath.NormalizeInPlace(copy.Row(r));
        return copy;
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming <paramref name="what"/> and the first row holding a NaN or infinite value.
    /// </summary>
    /// <param name="what">What the table is, for the message (for example "user embeddings").</param>
    public void ThrowIfNotFinite(string what)
    {
        for (int i = 0; i < Values.Length; i++)
        {
            if (!float.IsFinite(Values[i]))
                throw NonFiniteValues.Error(what, Values[i], i / Dimension, i % Dimension);
        }
    }

    /// <summary>
    /// As <see cref="ThrowIfNotFinite(string)"/>, for the rows <paramref name="rows"/> only: what a search reads of a
    /// query table, so that serving a few users of a wide table does not scan (and page in) all of it. A query is also
    /// refused when its squared length overflows a float (<see cref="ScorableLength"/>; items of such a length are refused
    /// where they enter).
    /// </summary>
    internal void ThrowIfNotFinite(string what, IReadOnlyList<int> rows)
    {
        foreach (int row in rows)
        {
            if ((uint)row >= (uint)Rows) continue; // the caller reports an unknown row with its own message
            var values = ReadRow(row);
            for (int j = 0; j < values.Length; j++)
            {
                if (!float.IsFinite(values[j]))
                    throw NonFiniteValues.Error(what, values[j], row, j);
            }
            if (ScorableLength.TooLong(values, out double squares))
                throw new ArgumentException($"The {what} hold {ScorableLength.Describe(squares)}, in row {row}.");
        }
    }
}
