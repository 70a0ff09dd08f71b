using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The common shape of this library's transformers: each appends columns to its input, lazily, one row at
/// a time, so it works over data views of any size, in transformer chains and in prediction engines.
/// </summary>
public abstract class MultiInterestTransformerBase : ITransformer
{
    private protected MultiInterestTransformerBase()
    {
    }

    /// <summary>Always true: every output row depends only on the matching input row.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The schema of <see cref="Transform"/>'s output for input of schema <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentException">An input column is missing or has the wrong type.</exception>
    /// <param name="inputSchema">The schema of the rows to transform: the columns the fitted stage reads; not null.</param>
    /// <returns><paramref name="inputSchema"/> with this transformer's columns appended.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputSchema"/> is null.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return AppendedSchema.Build(inputSchema, MakeColumns(inputSchema));
    }

    /// <summary>Appends this transformer's columns to <paramref name="input"/> (lazily: nothing is computed here).</summary>
    /// <exception cref="ArgumentException">An input column is missing or has the wrong type.</exception>
    /// <exception cref="NotSupportedException">
    /// Called by <c>mlContext.Model.ConvertToOnnx</c>, which cannot convert this library's transformers: export with
    /// <see cref="MultiInterestModel.ExportOnnx"/> instead.
    /// </exception>
    /// <param name="input">The rows to score: the columns the fitted stage reads; not null.</param>
    /// <returns>A view over <paramref name="input"/> with this transformer's columns appended.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        OnnxConversionGuard.ThrowIfConverting(GetType().Name);
        return new AppendColumnsDataView(input, MakeColumns(input.Schema));
    }

    /// <summary>A row-to-row mapper for input of schema <paramref name="inputSchema"/>.</summary>
    /// <param name="inputSchema">The schema of the rows to map; not null.</param>
    /// <returns>A mapper appending this transformer's columns.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputSchema"/> is null.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new AppendColumnsRowMapper(inputSchema, MakeColumns(inputSchema));
    }

    /// <summary>
    /// Saves the transformer as ML.NET's own savable transformers (ML.NET lets no outside assembly declare a
    /// loadable one): the learned tables become initializers of an ONNX graph run by ML.NET's OnnxTransformer,
    /// wrapped in ConvertType, MapValueToKey and this library's single-slot CustomMappings. Call it through
    /// <c>mlContext.Model.Save</c>; <c>mlContext.Model.Load</c> returns that ML.NET chain, which appends the
    /// same columns with the same values, and <see cref="MultiInterestModel.Load(MLContext, string)"/> reads the tables back.
    /// </summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var savable = CreateSavableModel();
        try
        {
            ((ICanSaveModel)savable).Save(ctx);
        }
        finally
        {
            // The chain's OnnxTransformer keeps a copy of its graph in the temp directory until disposed.
            (savable as IDisposable)?.Dispose();
        }
    }

    /// <summary>The ML.NET transformers that reproduce this transformer's output columns; saved in its place.</summary>
    private protected abstract ITransformer CreateSavableModel();

    /// <summary>Validates the input schema and declares the appended columns.</summary>
    private protected abstract IReadOnlyList<AppendedColumn> MakeColumns(DataViewSchema inputSchema);
}
