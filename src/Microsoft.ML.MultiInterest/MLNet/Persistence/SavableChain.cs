using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The ML.NET chain a library stage is saved as, with the temp directory its OnnxTransformer copied the stage's graph
/// into. Disposing it disposes the chain and deletes the directory, so saving leaves nothing behind.
/// </summary>
internal sealed class SavableChain(ITransformer chain, string temporaryDirectory) : ITransformer, IDisposable
{
    /// <summary>The chain itself.</summary>
    public ITransformer Chain { get; } = chain;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => Chain.IsRowToRowMapper;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Chain.GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Chain.GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => Chain.Transform(input);

    /// <summary>Saves the chain in the stage's place.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)Chain).Save(ctx);

    /// <summary>Disposes the chain and deletes its temp directory.</summary>
    public void Dispose()
    {
        (Chain as IDisposable)?.Dispose();
        try
        {
            Directory.Delete(temporaryDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still held open elsewhere stays; the save itself has succeeded.
        }
    }
}
