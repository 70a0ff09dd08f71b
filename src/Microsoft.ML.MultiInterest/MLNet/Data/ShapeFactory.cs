using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Makes <see cref="SchemaShape.Column"/> values, whose constructor ML.NET keeps internal: a CustomMapping
/// estimator with a one-column output schema definition is asked for its output shape, and the column it
/// promises is taken. Only the shape matters; the mapping never runs.
/// </summary>
internal static class ShapeFactory
{
    private static readonly SchemaShape Empty = new(Array.Empty<SchemaShape.Column>());
    private static readonly MLContext Context = new();

    /// <summary>A scalar key column over UInt32 with <paramref name="count"/> values.</summary>
    public static SchemaShape.Column Key(string name, int count, bool keyValues = false) =>
        Make(name, nameof(Prototype.Key), new KeyDataViewType(typeof(uint), count), keyValues);

    /// <summary>A fixed-length vector of UInt32 keys, optionally promising a KeyValues annotation.</summary>
    public static SchemaShape.Column KeyVector(string name, int count, bool keyValues) =>
        Make(name, nameof(Prototype.KeyVector), new VectorDataViewType(new KeyDataViewType(typeof(uint), count), 1), keyValues);

    /// <summary>A scalar Single column.</summary>
    public static SchemaShape.Column Float(string name) => Make(name, nameof(Prototype.Float), NumberDataViewType.Single, keyValues: false);

    /// <summary>A fixed-length Single vector.</summary>
    public static SchemaShape.Column FloatVector(string name) =>
        Make(name, nameof(Prototype.FloatVector), new VectorDataViewType(NumberDataViewType.Single, 1), keyValues: false);

    /// <summary>A scalar text column.</summary>
    public static SchemaShape.Column Text(string name) => Make(name, nameof(Prototype.Text), TextDataViewType.Instance, keyValues: false);

    /// <summary>A fixed-length Double vector.</summary>
    public static SchemaShape.Column DoubleVector(string name) =>
        Make(name, nameof(Prototype.DoubleVector), new VectorDataViewType(NumberDataViewType.Double, 1), keyValues: false);

    /// <summary>The input shape with <paramref name="added"/> appended; an added column replaces an input column of the same name.</summary>
    public static SchemaShape Append(SchemaShape input, params SchemaShape.Column[] added)
    {
        var names = new HashSet<string>(added.Select(c => c.Name));
        return new SchemaShape(input.Where(c => !names.Contains(c.Name)).Concat(added));
    }

    private static SchemaShape.Column Make(string name, string member, DataViewType type, bool keyValues)
    {
        var definition = SchemaDefinition.Create(typeof(Prototype));
        definition.RemoveAll(c => c.MemberName != member);
        definition[0].ColumnName = name;
        definition[0].ColumnType = type;
        if (keyValues)
        {
            // A shape keeps an annotation's kind and item type, not its length: one value promises the annotation as well as
            // the key count would, without allocating a value per key (a NumberOfClusters of int.MaxValue ran out of memory
            // here, in the chain's shape check, before Fit could refuse it by name).
            var textType = new VectorDataViewType(TextDataViewType.Instance, 1);
            definition[0].AddAnnotation("KeyValues", new VBuffer<ReadOnlyMemory<char>>(1, new ReadOnlyMemory<char>[1]), textType);
        }
        var estimator = Context.Transforms.CustomMapping<NoInput, Prototype>((_, _) => { }, contractName: null, outputSchemaDefinition: definition);
        var shape = estimator.GetOutputSchema(Empty);
        return shape.Single(c => c.Name == name);
    }

    /// <summary>The CustomMapping input: no columns.</summary>
    private sealed class NoInput
    {
    }

    /// <summary>One member per CLR representation the library's output columns use.</summary>
    private sealed class Prototype
    {
        public uint Key { get; set; }

        public uint[] KeyVector { get; set; } = [];

        public float Float { get; set; }

        public float[] FloatVector { get; set; } = [];

        public double[] DoubleVector { get; set; } = [];

        public string Text { get; set; } = "";
    }
}
