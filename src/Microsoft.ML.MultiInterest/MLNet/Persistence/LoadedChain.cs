using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// What <see cref="MultiInterestModel.Transformer"/> hands out: ML.NET's loaded chain behind a guard, so that disposing the
/// model while other threads read the chain cannot free its ONNX Runtime sessions under a running call (a native crash:
/// a segmentation fault or glibc's "double free", 4 runs in 11 of a service disposing with requests in flight). A cursor
/// counts as a reader from its creation to its Dispose, since ML.NET's parallel cursors run the sessions on worker threads
/// between its calls (and join them in its Dispose); a row of a row-to-row mapper (a prediction engine's) counts only
/// during each getter call, since a prediction engine never disposes it. Disposing refuses new work at once and releases
/// the chain when its last reader ends. Saving writes the chain itself, so the zip is ML.NET's as before.
/// </summary>
internal sealed partial class LoadedChain : ITransformer, ICanSaveModel, IDisposable
{
    private ITransformer? _chain;
    private readonly ChainReaders _readers;
    private readonly MLContext? _context;
    private readonly string[] _historyColumns;
    private int _unreadHistorySaid;

    /// <param name="chain">ML.NET's loaded chain.</param>
    /// <param name="context">The context whose log hears that a history column is not read (null: not said).</param>
    /// <param name="historyColumns">The history columns the saved retrieval stages read when fitted, which the chain cannot.</param>
    public LoadedChain(ITransformer chain, MLContext? context = null, IEnumerable<string>? historyColumns = null)
    {
        _chain = chain;
        _context = context;
        _historyColumns = historyColumns?.Distinct().ToArray() ?? [];
        IsRowToRowMapper = chain.IsRowToRowMapper;
        // Dropped as well as disposed: ML.NET's OnnxTransformer keeps each stage's parsed graph, every table of it, in the
        // managed heap after its session is released (a disposed model kept for Recommend held about as much again as its tables).
        _readers = new ChainReaders(() => (Interlocked.Exchange(ref _chain, null) as IDisposable)?.Dispose());
    }

    /// <summary>
    /// What work on a disposed model's chain is refused with: the property <see cref="MultiInterestModel.Transformer"/> and
    /// everything made from it that would start a new read.
    /// </summary>
    internal static ObjectDisposedException Disposed() => new(nameof(MultiInterestModel),
        "The model was disposed: its Transformer, and the views, row-to-row mappers and prediction engines made from it, start no new "
        + "work (its ONNX Runtime sessions and temp files are released once the cursors opened before Dispose are disposed). Recommend, "
        + "RetrieveWithEngine and ExportOnnx still work. Load the model again to transform.");

    /// <inheritdoc/>
    public bool IsRowToRowMapper { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var chain = Enter();
        try
        {
            return chain.GetOutputSchema(inputSchema);
        }
        finally
        {
            _readers.Leave();
        }
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        SayUnreadHistory(input.Schema);
        var chain = Enter();
        try
        {
            // ML.NET's ONNX converter walks back from the view it gets and would take a guarded view for the pipeline's input,
            // writing a model of pass-through columns: it gets the chain's own view, which it refuses as it did before the guard
            // ("can not be fully converted"). It reads no rows, so no session runs for it.
            var view = chain.Transform(input);
            return OnnxConversionGuard.Converting() ? view : new View(this, view);
        }
        finally
        {
            _readers.Leave();
        }
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SayUnreadHistory(inputSchema);
        var chain = Enter();
        try
        {
            return new Mapper(this, chain.GetRowToRowMapper(inputSchema));
        }
        finally
        {
            _readers.Leave();
        }
    }

    /// <summary>Writes the chain itself (ML.NET's <c>TransformerChain</c>), which <c>mlContext.Model.Load</c> reads back as before.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        var chain = Enter();
        try
        {
            ((ICanSaveModel)chain).Save(ctx);
        }
        finally
        {
            _readers.Leave();
        }
    }

    /// <summary>
    /// The saved chain cannot read a history column (docs/persistence.md): said the first time an input holds one, so a
    /// service sending histories through it learns why its new users get the popular list.
    /// </summary>
    private void SayUnreadHistory(DataViewSchema input)
    {
        if (_context == null || Volatile.Read(ref _unreadHistorySaid) != 0) return;
        if (_historyColumns.FirstOrDefault(name => input.GetColumnOrNull(name) != null) is not { } column) return;
        if (Interlocked.Exchange(ref _unreadHistorySaid, 1) != 0) return;
        string message = $"The input has a '{column}' column, which the loaded model's Transformer does not read: "
            + "its saved chain looks each list up by user key, so a new user with a history gets the popular list and a trained user's fresh "
            + "items are not excluded (docs/persistence.md). Serve histories with mi.CreateRecommender(model), RetrieveWithEngine or the ONNX "
            + "scorers. Said once per loaded model.";
        Logging.Warning(_context, nameof(MultiInterestModel), $"{message}");
    }

    /// <summary>Refuses new work; the chain is released now, or when the last cursor opened before is disposed.</summary>
    public void Dispose() => _readers.Close();

    /// <summary>Counts a reader in and returns the chain, which stays unreleased until it leaves.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    private ITransformer Enter()
    {
        if (!_readers.TryEnter()) throw Disposed();
        return Volatile.Read(ref _chain)!;
    }
}
