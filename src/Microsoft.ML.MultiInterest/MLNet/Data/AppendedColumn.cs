using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// One column a transformer appends to its input: name, type, optional annotations, the input columns it
/// reads, and a factory that makes a getter over an input row (called once per cursor, so getters may
/// keep per-cursor buffers without locking).
/// </summary>
internal sealed class AppendedColumn
{
    private AppendedColumn(string name, DataViewType type, DataViewSchema.Annotations? annotations, string[] inputs, Type valueType,
        Func<DataViewRow, Delegate> makeGetter)
    {
        Name = name;
        Type = type;
        Annotations = annotations;
        Inputs = inputs;
        ValueType = valueType;
        MakeGetter = makeGetter;
    }

    public string Name { get; }

    public DataViewType Type { get; }

    public DataViewSchema.Annotations? Annotations { get; }

    /// <summary>Names of the input columns the getter reads; they are activated on the input cursor.</summary>
    public string[] Inputs { get; }

    /// <summary>The CLR type of the getter's value (e.g. <see cref="VBuffer{T}"/> of float).</summary>
    public Type ValueType { get; }

    public Func<DataViewRow, Delegate> MakeGetter { get; }

    /// <summary>Declares a column whose values are produced by <paramref name="makeGetter"/>.</summary>
    public static AppendedColumn Create<TValue>(string name, DataViewType type, string[] inputs, Func<DataViewRow, ValueGetter<TValue>> makeGetter,
        DataViewSchema.Annotations? annotations = null) =>
        new(name, type, annotations, inputs, typeof(TValue), row => makeGetter(row));
}
