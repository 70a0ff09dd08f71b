using Google.Protobuf;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Assembles the ML.NET transformers that stand in for one of this library's transformers in a saved model
/// (ML.NET lets no outside assembly declare a loadable transformer). The learned tables become initializers
/// of a per-row ONNX graph run by ML.NET's own OnnxTransformer; key inputs reach it through ConvertType,
/// key outputs leave it as text and become keys again through MapValueToKey over the same KeyValues, and
/// one-slot outputs become scalars through <see cref="SingleSlotSingleMapping"/> and
/// <see cref="SingleSlotTextMapping"/>. Temporary columns are dropped at the end.
/// </summary>
internal sealed class SavedChainBuilder
{
    private readonly string _stage;
    private readonly DataViewSchema.Builder _fitSchema = new();
    private readonly List<(string Temporary, string Source)> _keyConversions = [];
    private readonly List<string> _onnxInputs = [];
    private readonly List<string> _onnxOutputs = [];
    private readonly List<Func<MLContext, IEstimator<ITransformer>>> _outputSteps = [];
    private readonly List<string> _temporaries = [];
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fitColumns = new(StringComparer.Ordinal);

    public SavedChainBuilder(string stage)
    {
        _stage = stage;
        Graph = new OnnxGraphBuilder(stage);
        _metadata[SavedModelFormat.StageKey] = stage;
        _metadata[SavedModelFormat.VersionKey] = SavedModelFormat.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _metadata[SavedModelFormat.LibraryVersionKey] = LibraryVersion.Current;
    }

    /// <summary>The per-row graph; stage code adds its tables and nodes here.</summary>
    public OnnxGraphBuilder Graph { get; }

    /// <summary>Adds a <c>metadata_props</c> entry (options the typed accessor reads back).</summary>
    public void Metadata(string key, string value) => _metadata[key] = value;

    /// <summary>Feeds the key column <paramref name="column"/> to the graph; returns the name of its int64 scalar (0 = missing key).</summary>
    public string KeyInput(string column, int count) =>
        KeyTensorInput(column, new KeyDataViewType(typeof(uint), count), 1, "_scalar", []);

    /// <summary>
    /// Feeds the known-size vector of keys <paramref name="column"/> (<paramref name="size"/> keys over <paramref name="count"/>
    /// values) to the graph; returns the name of its int64 <c>[size]</c> tensor (0 = missing key).
    /// </summary>
    public string KeyVectorInput(string column, int size, int count) =>
        KeyTensorInput(column, new VectorDataViewType(new KeyDataViewType(typeof(uint), count), size), size, "_flat", [size]);

    /// <summary>
    /// A key column of <paramref name="width"/> keys, converted to UInt32 before the graph and to an int64 tensor of shape
    /// <paramref name="shape"/> inside it; returns that tensor's name.
    /// </summary>
    private string KeyTensorInput(string column, DataViewType fitType, int width, string suffix, long[] shape)
    {
        string converted = Temporary();
        AddFitColumn(column, fitType);
        _keyConversions.Add((converted, column));
        _onnxInputs.Add(converted);
        string wide = converted + "_int64", reshaped = converted + suffix;
        Graph.AddInput(converted, TensorProto.Types.DataType.Uint32, 1, width)
            .AddNode("Cast", [converted], [wide], OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Int64))
            .AddInitializer(reshaped + "_shape", [shape.Length], shape)
            .AddNode("Reshape", [wide, reshaped + "_shape"], [reshaped]);
        return reshaped;
    }

    /// <summary>
    /// The row of a table of present keys that the int64 key scalar <paramref name="key"/> reads: 1 + the index of the key in
    /// <paramref name="presentKeys"/>, or 0 (the table's zero or empty row) for any other key, through an <c>ai.onnx.ml</c>
    /// LabelEncoder, a hash lookup whose size follows the present keys, not the key range. Returns the int64 scalar's name.
    /// </summary>
    public string RowOfKey(string key, string name, IReadOnlyList<int> presentKeys)
    {
        var keys = new long[presentKeys.Count];
        var rows = new long[presentKeys.Count];
        for (int j = 0; j < keys.Length; j++)
        {
            keys[j] = presentKeys[j];
            rows[j] = j + 1;
        }
        string row = name + "_row";
        Graph.AddMlNode("LabelEncoder", [key], [row], OnnxAttributes.Ints("keys_int64s", keys), OnnxAttributes.Ints("values_int64s", rows),
            OnnxAttributes.Int("default_int64", 0));
        return row;
    }

    /// <summary>Feeds the Single vector column <paramref name="column"/> to the graph; returns the name of its <c>[size]</c> tensor.</summary>
    public string VectorInput(string column, int size)
    {
        AddFitColumn(column, new VectorDataViewType(NumberDataViewType.Single, size));
        _onnxInputs.Add(column);
        string flat = $"input_{_onnxInputs.Count}_flat";
        Graph.AddInput(column, TensorProto.Types.DataType.Float, 1, size)
            .AddInitializer(flat + "_shape", [1], [(long)size])
            .AddNode("Reshape", [column, flat + "_shape"], [flat]);
        return flat;
    }

    /// <summary>Publishes the <c>[size]</c> tensor <paramref name="tensor"/> as the vector column <paramref name="column"/>.</summary>
    public void VectorOutput(string column, string tensor, TensorProto.Types.DataType type, int size)
    {
        string output = Output(tensor, type, size);
        _outputSteps.Add(ml => ml.Transforms.CopyColumns(column, output));
    }

    /// <summary>Publishes the one-value Single tensor <paramref name="tensor"/> as the scalar column <paramref name="column"/>.</summary>
    public void ScalarOutput(string column, string tensor)
    {
        string output = Output(tensor, TensorProto.Types.DataType.Float, 1);
        _outputSteps.Add(ml => ml.Transforms.CopyColumns(SingleSlotSingleMapping.InputColumn, output)
            .Append(ml.Transforms.CustomMapping(new SingleSlotSingleMapping().GetMapping(), SingleSlotSingleMapping.ContractName))
            .Append(ml.Transforms.CopyColumns(column, SingleSlotSingleMapping.OutputColumn))
            .Append(ml.Transforms.DropColumns(SingleSlotSingleMapping.InputColumn, SingleSlotSingleMapping.OutputColumn)));
    }

    /// <summary>Publishes the one-value string tensor <paramref name="tensor"/> as the scalar text column <paramref name="column"/>.</summary>
    public void TextOutput(string column, string tensor)
    {
        string output = Output(tensor, TensorProto.Types.DataType.String, 1);
        _outputSteps.Add(ml => ml.Transforms.CopyColumns(SingleSlotTextMapping.InputColumn, output)
            .Append(ml.Transforms.CustomMapping(new SingleSlotTextMapping().GetMapping(), SingleSlotTextMapping.ContractName))
            .Append(ml.Transforms.CopyColumns(column, SingleSlotTextMapping.OutputColumn))
            .Append(ml.Transforms.DropColumns(SingleSlotTextMapping.InputColumn, SingleSlotTextMapping.OutputColumn)));
    }

    /// <summary>
    /// The widest key column a saved model publishes: past it, ML.NET's MapValueToKey over every id would need tens of
    /// gigabytes to save (a key column as wide as a hashed id, 2^31 values, ran out of a 4 GB heap after 35 s).
    /// </summary>
    internal const int MaxSavedKeys = 1 << 26;

    /// <summary>
    /// Publishes the string tensor <paramref name="tensor"/> (raw ids) as a key column over
    /// <paramref name="keyValues"/>: a scalar key when <paramref name="size"/> is 0, else a vector of
    /// <paramref name="size"/> keys. Ids outside <paramref name="keyValues"/> (such as "") become key 0.
    /// </summary>
    /// <param name="column">The key column.</param>
    /// <param name="tensor">The graph's string tensor of raw ids.</param>
    /// <param name="size">0 for a scalar key, else the vector's length.</param>
    /// <param name="keyValues">The ids of the keys, in key order.</param>
    /// <param name="keysInUse">How many of those keys the stage's tables hold, when known: a range past
    /// <see cref="MaxSavedKeys"/> is refused only when at most half of it is in use (a sparse range, as a hashed id column
    /// gives; a catalogue that large and dense saves, at its cost). Null: refused past <see cref="MaxSavedKeys"/>.</param>
    /// <exception cref="InvalidOperationException">A sparse key range passes <see cref="MaxSavedKeys"/>.</exception>
    public void KeyOutput(string column, string tensor, int size, IReadOnlyList<string> keyValues, int? keysInUse = null)
    {
        if (keyValues.Count > MaxSavedKeys && (keysInUse ?? 0) <= keyValues.Count / 2)
            throw new InvalidOperationException($"Column '{column}' is a key over {keyValues.Count:N0} values"
                + (keysInUse is { } used ? $", of which {used:N0} are in use" : "") + ", and a saved model keeps a key column as ML.NET's "
                + $"MapValueToKey over every value's id (at 10,000,000 keys: a 94 MB zip and 2.6 GB while saving; docs/performance.md, \"Memory and time "
                + $"against the key range\"); this library saves at most {MaxSavedKeys:N0} keys of a sparse range. Map the raw ids to a compact key range "
                + "(MapValueToKey, not a hash) before the pipeline, or serve the fitted transformers without saving them.");
        string output = Output(tensor, TensorProto.Types.DataType.String, Math.Max(size, 1));
        int maxKeys = Math.Max(keyValues.Count, 1);
        if (size > 0)
        {
            _outputSteps.Add(ml => ml.Transforms.Conversion.MapValueToKey(column, output, maxKeys, keyData: KeyData(ml, keyValues)));
            return;
        }
        _outputSteps.Add(ml => ml.Transforms.CopyColumns(SingleSlotTextMapping.InputColumn, output)
            .Append(ml.Transforms.CustomMapping(new SingleSlotTextMapping().GetMapping(), SingleSlotTextMapping.ContractName))
            .Append(ml.Transforms.Conversion.MapValueToKey(column, SingleSlotTextMapping.OutputColumn, maxKeys, keyData: KeyData(ml, keyValues)))
            .Append(ml.Transforms.DropColumns(SingleSlotTextMapping.InputColumn, SingleSlotTextMapping.OutputColumn)));
    }

    /// <summary>
    /// A saved stage is one ONNX model inside the zip (ML.NET's OnnxTransformer keeps it as one byte array), so it cannot carry
    /// ONNX external data: a stage over the 2 GB limit of one protobuf message is refused by name, before anything is written.
    /// </summary>
    private void RefuseOverLimit(Onnx.Proto.ModelProto model)
    {
        long bytes = Onnx.OnnxModelFile.EncodedBytes(model);
        if (bytes > Onnx.ExternalDataPolicy.InlineLimit || model.Graph.Initializer.Any(Onnx.StreamedTables.IsStreamed))
            throw new NotSupportedException($"The {_stage} stage's tables take {bytes:N0} bytes, over the 2 GB limit of one ONNX model: mlContext.Model.Save keeps "
                + "each stage as one ONNX model inside the zip (ML.NET's OnnxTransformer stores it as one byte array), which cannot carry ONNX external data. "
                + "Serve the fitted transformers without saving them, or export the serving graphs from the fitted tables with OnnxServingDirectory "
                + "(ExportUnimodal, Export, ExportRoundRobin ...), which write tables past 2 GB as external data (docs/onnx.md, \"Size limit: 2 GB and external data\").");
    }

    /// <summary>
    /// Fits the ML.NET chain on an empty view of the input columns; the result is what gets saved. Dispose it after
    /// saving: it owns a temp directory of its own, where ML.NET's OnnxTransformer keeps its copy of the graph.
    /// </summary>
    public SavableChain Build()
    {
        foreach (var (key, value) in _metadata)
            Graph.AddMetadata(key, value);
        var model = Graph.Build($"Microsoft.ML.MultiInterest saved stage: {_stage}.");
        var temp = Directory.CreateTempSubdirectory("mi-save-");
        // A file of our naming, not a stream: ML.NET would copy a stream to a random name, which ONNX Runtime misreads one
        // time in 32,768 (OrtNameClash). Written straight from the graph, with no serialised copy in memory, and the graph's
        // tables then let go before ONNX Runtime loads its own (fit on cit-HepPh at d = 768 peaked at 4.9 GB, now 3.7-4.1).
        string modelFile = Path.Combine(temp.FullName, "stage.onnx");
        RefuseOverLimit(model);
        using (var file = File.Create(modelFile)) model.WriteTo(file);
        Graph.ReleaseInitializers();
        var ml = new MLContext(seed: 0) { TempFilePath = temp.FullName };
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach (var (temporary, source) in _keyConversions)
        {
            // ConvertType alone would also take a text column and parse it as key numbers ("8" read as key 8, another
            // user; "u8" as key 0): a transform that accepts key columns only refuses such input by name when bound.
            // Its output is never read (dropped below), so it costs nothing per row.
            chain = chain.Append(ml.Transforms.Conversion.MapKeyToBinaryVector(Temporary(), source));
            chain = chain.Append(ml.Transforms.Conversion.ConvertType(temporary, source, DataKind.UInt32));
        }
        // The saved stage is an ONNX graph run by ML.NET's OnnxTransformer, which opens an ONNX Runtime session here.
        chain = chain.Append(Onnx.OnnxRuntimeNative.Require($"Saving the {_stage} stage", () => ml.Transforms.ApplyOnnxModel(_onnxOutputs.ToArray(), _onnxInputs.ToArray(), modelFile)));
        foreach (var step in _outputSteps) chain = chain.Append(step(ml));
        chain = chain.Append(ml.Transforms.DropColumns(_temporaries.ToArray()));
        return new SavableChain(chain.Fit(new EmptyDataView(_fitSchema.ToSchema())), temp.FullName);
    }

    private string Output(string tensor, TensorProto.Types.DataType type, int size)
    {
        string output = Temporary();
        _onnxOutputs.Add(output);
        Graph.AddNode("Identity", [tensor], [output]).AddOutput(output, type, size);
        return output;
    }

    private string Temporary()
    {
        string name = $"__MultiInterest_{_stage}_{_temporaries.Count}";
        _temporaries.Add(name);
        return name;
    }

    private void AddFitColumn(string column, DataViewType type)
    {
        if (_fitColumns.Add(column)) _fitSchema.AddColumn(column, type);
    }

    private static IDataView KeyData(MLContext ml, IReadOnlyList<string> keyValues) =>
        ml.Data.LoadFromEnumerable(keyValues.Select(v => new KeyValueRow { Value = v }));

    /// <summary>One KeyValues entry, in key order.</summary>
    private sealed class KeyValueRow
    {
        public string Value { get; set; } = "";
    }
}
