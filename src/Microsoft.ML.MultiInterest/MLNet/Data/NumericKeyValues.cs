using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Numeric KeyValues kept exactly: integers as 64-bit values (a <c>UInt64</c> id above <see cref="long.MaxValue"/> keeps
/// its own bit), floating-point ids as doubles, each named by the shortest text of its own type. Integer ids went through
/// double before, so two ids above 2^53 could share a name and 1e15 and up were named in E-notation
/// ("1.2345678901234568E+18"), and a Single id 0.1 was named "0.10000000149011612": a trained user read as unknown.
/// </summary>
internal sealed class NumericKeyValues
{
    private readonly long[]? _integers;
    private readonly bool _unsigned;
    private readonly double[]? _reals;
    private readonly bool _single;

    private NumericKeyValues(long[]? integers, bool unsigned, double[]? reals, bool single = false)
    {
        _integers = integers;
        _unsigned = unsigned;
        _reals = reals;
        _single = single;
    }

    /// <summary>The number of values.</summary>
    public int Count => _integers?.Length ?? _reals!.Length;

    /// <summary>
    /// The KeyValues annotation of <paramref name="column"/> when it is a numeric vector of <paramref name="count"/> values of
    /// a type MapValueToKey produces; null otherwise.
    /// </summary>
    public static NumericKeyValues? Read(DataViewSchema.Column column, int count)
    {
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is not { Type: VectorDataViewType { ItemType: NumberDataViewType } type }
            || type.Size != count)
            return null;
        var raw = type.ItemType.RawType;
        if (raw == typeof(long)) return Integers<long>(column, v => v);
        if (raw == typeof(int)) return Integers<int>(column, v => v);
        if (raw == typeof(short)) return Integers<short>(column, v => v);
        if (raw == typeof(sbyte)) return Integers<sbyte>(column, v => v);
        if (raw == typeof(uint)) return Integers<uint>(column, v => v);
        if (raw == typeof(ushort)) return Integers<ushort>(column, v => v);
        if (raw == typeof(byte)) return Integers<byte>(column, v => v);
        if (raw == typeof(ulong)) return Integers<ulong>(column, v => unchecked((long)v), unsigned: true);
        // A Single widens to its exact double, and is named as the Single it is ("0.1", as IdColumnReader names it).
        if (raw == typeof(float)) return new(null, false, Values<float, double>(column, v => v), single: true);
        if (raw == typeof(double)) return new(null, false, Values<double, double>(column, v => v));
        return null;
    }

    /// <summary>The id's invariant text: "9007199254740993", "18446744073709551615", "2.5", "0.1".</summary>
    public string Name(int index) =>
        _reals != null ? (_single ? ((float)_reals[index]).ToString("R", CultureInfo.InvariantCulture) : _reals[index].ToString("R", CultureInfo.InvariantCulture))
        : IsHigh(index) ? unchecked((ulong)_integers![index]).ToString(CultureInfo.InvariantCulture)
        : _integers![index].ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether value <paramref name="index"/> equals <paramref name="other"/>'s, whatever their integer types.</summary>
    public bool SameAt(int index, NumericKeyValues other)
    {
        if (_integers != null && other._integers != null)
            return _integers[index] == other._integers[index] && IsHigh(index) == other.IsHigh(index);
        if (_reals != null && other._reals != null) return _reals[index].Equals(other._reals[index]);
        return string.Equals(Name(index), other.Name(index), StringComparison.Ordinal);
    }

    /// <summary>Adds every value to <paramref name="hash"/>: equal ids of any integer type hash alike.</summary>
    public void AddTo(ref HashCode hash)
    {
        if (_reals != null)
        {
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_reals.AsSpan()));
            return;
        }
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_integers.AsSpan()));
        for (int i = 0; i < _integers!.Length; i++)
            if (IsHigh(i)) hash.Add(i);
    }

    /// <summary>A <c>UInt64</c> id above <see cref="long.MaxValue"/>, stored in a long's bits.</summary>
    private bool IsHigh(int index) => _unsigned && _integers![index] < 0;

    private static NumericKeyValues Integers<T>(DataViewSchema.Column column, Func<T, long> widen, bool unsigned = false) =>
        new(Values(column, widen), unsigned, null);

    private static TOut[] Values<T, TOut>(DataViewSchema.Column column, Func<T, TOut> convert)
    {
        VBuffer<T> values = default;
        column.Annotations.GetValue("KeyValues", ref values);
        var result = new TOut[values.Length];
        int i = 0;
        foreach (var value in values.DenseValues()) result[i++] = convert(value);
        return result;
    }
}
