using Google.Protobuf;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Assembles a single-graph ONNX model for the default operator domain at <see cref="OpsetVersion"/>:
/// constant tensors (initializers), nodes in the order added (which must be topological), and typed
/// inputs and outputs whose dimensions are fixed sizes or the symbolic <see cref="BatchDimension"/>.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The ONNX operator set the graphs are written against.</summary>
    public const int OpsetVersion = 17;

    /// <summary>The IR version that goes with opset 17 (ONNX 1.12).</summary>
    public const int IrVersion = 8;

    /// <summary>The symbolic name of the dynamic batch dimension; pass <c>null</c> as a dimension to use it.</summary>
    public const string BatchDimension = "batch";

    /// <summary>
    /// The symbolic name of a padded history's length (the second dimension of a history input). It must differ from
    /// <see cref="BatchDimension"/>: ONNX reads one name as one size, so <c>[batch, batch]</c> would tie the history length to
    /// the batch size (ONNX Runtime's free-dimension override of <c>batch</c> then refuses any other length).
    /// </summary>
    public const string HistoryDimension = "history";

    private readonly GraphProto _graph;
    private readonly List<StringStringEntryProto> _metadata = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _nodeCount;

    /// <summary>Starts an empty graph called <paramref name="graphName"/>.</summary>
    public OnnxGraphBuilder(string graphName)
    {
        ArgumentException.ThrowIfNullOrEmpty(graphName);
        _graph = new GraphProto { Name = graphName };
    }

    /// <summary>Adds a float constant of shape <paramref name="dims"/>.</summary>
    public OnnxGraphBuilder AddInitializer(string name, long[] dims, ReadOnlySpan<float> values)
    {
        Claim(name);
        _graph.Initializer.Add(OnnxTensors.Float(name, dims, values));
        return this;
    }

    /// <summary>Adds an int64 constant of shape <paramref name="dims"/>.</summary>
    public OnnxGraphBuilder AddInitializer(string name, long[] dims, ReadOnlySpan<long> values)
    {
        Claim(name);
        _graph.Initializer.Add(OnnxTensors.Int64(name, dims, values));
        return this;
    }

    /// <summary>
    /// Adds a float table held in an array: written as <see cref="AddInitializer(string, long[], ReadOnlySpan{float})"/> does,
    /// except that a table over <see cref="ExternalDataPolicy.InlineLimit"/> is streamed from the array into the model's side
    /// file, never copied (<see cref="StreamedTables"/>).
    /// </summary>
    public OnnxGraphBuilder AddInitializer(string name, long[] dims, float[] values)
    {
        Claim(name);
        _graph.Initializer.Add(OnnxTensors.Float(name, dims, values));
        return this;
    }

    /// <summary>Adds an int64 table held in an array, streamed as <see cref="AddInitializer(string, long[], float[])"/> says.</summary>
    public OnnxGraphBuilder AddInitializer(string name, long[] dims, long[] values)
    {
        Claim(name);
        _graph.Initializer.Add(OnnxTensors.Int64(name, dims, values));
        return this;
    }

    /// <summary>Adds a constant tensor built elsewhere (any element type).</summary>
    public OnnxGraphBuilder AddInitializer(TensorProto tensor)
    {
        Claim(tensor.Name);
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>Declares a graph input; a <c>null</c> dimension is the dynamic <see cref="BatchDimension"/>.</summary>
    public OnnxGraphBuilder AddInput(string name, TensorProto.Types.DataType type, params long?[] dims) => Input(name, type, dims, null);

    /// <summary>
    /// Declares a graph input whose dynamic (<c>null</c>) dimensions take the names in <paramref name="dynamicNames"/>, one per
    /// dimension (the entries of fixed dimensions are not read): dimensions of different sizes need different names.
    /// </summary>
    public OnnxGraphBuilder AddInput(string name, TensorProto.Types.DataType type, long?[] dims, string[] dynamicNames)
    {
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(dynamicNames);
        if (dynamicNames.Length != dims.Length)
            throw new ArgumentException($"Input '{name}' has {dims.Length} dimensions but {dynamicNames.Length} dimension names.", nameof(dynamicNames));
        return Input(name, type, dims, dynamicNames);
    }

    private OnnxGraphBuilder Input(string name, TensorProto.Types.DataType type, long?[] dims, string[]? dynamicNames)
    {
        Claim(name);
        _graph.Input.Add(ValueInfo(name, type, dims, dynamicNames));
        return this;
    }

    /// <summary>Declares a graph output (the value must be produced by a node); a <c>null</c> dimension is the dynamic <see cref="BatchDimension"/>.</summary>
    public OnnxGraphBuilder AddOutput(string name, TensorProto.Types.DataType type, params long?[] dims)
    {
        if (!_names.Contains(name))
            throw new InvalidOperationException($"Graph output '{name}' is not produced by any node added so far.");
        _graph.Output.Add(ValueInfo(name, type, dims));
        return this;
    }

    /// <summary>
    /// Publishes initializer <paramref name="table"/> as the output <c>{table}_out</c> (an Identity node): a table kept for readers
    /// of the saved graph that no node uses, which ONNX Runtime would otherwise drop with a warning.
    /// </summary>
    public OnnxGraphBuilder KeepAsOutput(string table, TensorProto.Types.DataType type, params long?[] dims) =>
        AddNode("Identity", [table], [table + KeptOutputSuffix]).AddOutput(table + KeptOutputSuffix, type, dims);

    /// <summary>What <see cref="KeepAsOutput"/> appends to a table's name to name its output.</summary>
    public const string KeptOutputSuffix = "_out";

    /// <summary>The version of the <c>ai.onnx.ml</c> operator set a graph imports when it uses one of its operators.</summary>
    public const int MlOpsetVersion = 2;

    /// <summary>The <c>ai.onnx.ml</c> domain (LabelEncoder and the other classic-ML operators).</summary>
    public const string MlDomain = "ai.onnx.ml";

    private bool _usesMlDomain;

    /// <summary>Adds a node of the default domain; its inputs must already exist and its outputs must be new names.</summary>
    public OnnxGraphBuilder AddNode(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes) =>
        AddNode("", opType, inputs, outputs, attributes);

    /// <summary>Adds a node of the <c>ai.onnx.ml</c> domain (imported at <see cref="MlOpsetVersion"/>).</summary>
    public OnnxGraphBuilder AddMlNode(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        _usesMlDomain = true;
        return AddNode(MlDomain, opType, inputs, outputs, attributes);
    }

    private OnnxGraphBuilder AddNode(string domain, string opType, string[] inputs, string[] outputs, AttributeProto[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        foreach (string input in inputs)
        {
            if (input.Length > 0 && !_names.Contains(input))
                throw new InvalidOperationException($"Node {opType} reads '{input}', which is no input, initializer or earlier node output.");
        }
        foreach (string output in outputs) Claim(output);
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_nodeCount++}", Domain = domain };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return this;
    }

    /// <summary>Adds a model-level <c>metadata_props</c> entry.</summary>
    public OnnxGraphBuilder AddMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _metadata.Add(new StringStringEntryProto { Key = key, Value = value });
        return this;
    }

    /// <summary>Wraps the graph in a model with the opset import, IR version and producer set.</summary>
    public ModelProto Build(string docString)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Microsoft.ML.MultiInterest",
            ProducerVersion = LibraryVersion.Current,
            DocString = docString,
            Graph = _graph,
        };
        model.MetadataProps.AddRange(_metadata);
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        if (_usesMlDomain) model.OpsetImport.Add(new OperatorSetIdProto { Domain = MlDomain, Version = MlOpsetVersion });
        return model;
    }

    /// <summary>Serialises <paramref name="model"/> to a byte array.</summary>
    public static byte[] ToBytes(ModelProto model) => model.ToByteArray();

    /// <summary>
    /// Drops the graph's constant tensors once its model has been written out, so that their bytes can be collected; the
    /// builder (and any model it built) no longer describes a usable graph after this.
    /// </summary>
    public void ReleaseInitializers() => _graph.Initializer.Clear();

    private void Claim(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!_names.Add(name)) throw new InvalidOperationException($"The name '{name}' is already used in graph '{_graph.Name}'.");
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long?[] dims, string[]? dynamicNames = null)
    {
        var shape = new TensorShapeProto();
        for (int i = 0; i < dims.Length; i++)
        {
            shape.Dim.Add(dims[i] is long size
                ? new TensorShapeProto.Types.Dimension { DimValue = size }
                : new TensorShapeProto.Types.Dimension { DimParam = dynamicNames?[i] ?? BatchDimension });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
