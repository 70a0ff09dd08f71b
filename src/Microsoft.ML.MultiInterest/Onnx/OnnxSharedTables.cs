using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// One copy of a serving directory's user and item tables for everything that reads them: the exact re-ranking's
/// <see cref="OnnxRerankTables"/> and every ONNX Runtime session whose graph holds them. ONNX Runtime would otherwise
/// load its own copy of each table into each session (the unimodal scorer and the vector scorer both hold the item table,
/// which the re-ranking then reads a third time). Each session is given the re-ranking's arrays in place of the graph's
/// initializers of the same names (<c>SessionOptions.AddInitializer</c>), so it neither reads them from its file nor keeps
/// them. The owner disposes this after every session it was given to (<see cref="DisposeAfter"/>).
/// </summary>
/// <remarks>
/// CPU Gemm with a constant B packs B into a copy of its own. For an initializer of the model ONNX Runtime then frees the
/// original, but a table given by the caller it cannot free. Below <see cref="OnnxSessionFactory.PrepackTablesBelowBytes"/>
/// the sessions keep packing, into one <see cref="PrePacked"/> container they share (two copies: the table and one packed
/// copy, at the speed of before); from it on, prepacking is off for these sessions (one copy; over 1,500,000 items a call
/// of 64 users took 1.0x-1.2x as long, one of 8 users 1.5x-2x; docs/performance.md, "One copy of the served tables").
/// </remarks>
internal sealed class OnnxSharedTables : IDisposable
{
    /// <summary>ONNX Runtime's session setting that stops kernels from prepacking constant weights.</summary>
    internal const string DisablePrepackingKey = "session.disable_prepacking";

    private readonly Dictionary<string, (float[] Values, OrtValue Value)> _tables = new(StringComparer.Ordinal);
    // Per graph file (as the manifest names it): its initializers given from here, each with the table it is.
    private readonly Dictionary<string, (string Initializer, string Table)[]> _namesByGraph = new(StringComparer.Ordinal);
    private readonly List<(string Graph, string Name, OrtValue Value)> _given = [];
    private bool _disposed;

    /// <summary>
    /// The container the sessions share their one packed copy of a table through, when they pack (tables below the factory's
    /// limit); null when prepacking is off for them.
    /// </summary>
    public PrePackedWeightsContainer? PrePacked { get; private init; }

    private OnnxSharedTables()
    {
    }

    /// <summary>
    /// The tables of <paramref name="tables"/> (read from <paramref name="manifest"/>'s unimodal scorer) for every graph of the
    /// same export that holds them, written from the same arrays: the unimodal scorer (user and item tables), the vector
    /// scorer, the quota scorers (item table) and the mixture encoder (user table).
    /// </summary>
    /// <param name="manifest">The directory's manifest.</param>
    /// <param name="tables">The re-ranking's tables, whose arrays are given.</param>
    /// <param name="prepackTablesBelowBytes">The item table's size from which prepacking is off (<see cref="OnnxSessionFactory.PrepackTablesBelowBytes"/>).</param>
    public static OnnxSharedTables For(OnnxServingManifest manifest, OnnxRerankTables tables, long prepackTablesBelowBytes)
    {
        bool prepack = (long)tables.Items.Values.Length * sizeof(float) < prepackTablesBelowBytes;
        var shared = new OnnxSharedTables { PrePacked = prepack ? new PrePackedWeightsContainer() : null };
        try
        {
            shared.Add(UsersKey, tables.Users);
            shared.Add(ItemsKey, tables.Items);
        }
        catch
        {
            shared.Dispose();
            throw;
        }
        (string, string) items = (UnimodalOnnxExporter.ItemTableName, ItemsKey);
        shared._namesByGraph[manifest.UnimodalScorer.File] = [(UnimodalOnnxExporter.UserTableName, UsersKey), items];
        if (manifest.VectorScorer is { } vector) shared._namesByGraph[vector.File] = [items];
        if (manifest.Retrieval != OnnxServingManifest.UnimodalRetrieval)
        {
            shared._namesByGraph[manifest.Encoder.File] = [(MixtureEncoderGraph.UserTableName, UsersKey)];
            shared._namesByGraph[manifest.QuotaScorer.File] = [items];
            if (manifest.HistoryQuotaScorer is { } history) shared._namesByGraph[history.File] = [items];
        }
        return shared;
    }

    /// <summary>The keys of the two tables.</summary>
    private const string UsersKey = "users", ItemsKey = "items";

    /// <summary>Whether the graph file <paramref name="graphFile"/> (as the manifest names it) holds tables given from here.</summary>
    public bool Serves(string graphFile) => _namesByGraph.ContainsKey(graphFile);

    /// <summary>The names of the initializers of the graph <paramref name="graphFile"/> given from here (none when it holds none).</summary>
    public IReadOnlyCollection<string> Names(string graphFile) =>
        _namesByGraph.TryGetValue(graphFile, out var names) ? [.. names.Select(n => n.Initializer)] : [];

    /// <summary>Gives the tables the graph <paramref name="graphFile"/> holds to a session about to be created with <paramref name="options"/>.</summary>
    public void AddTo(SessionOptions options, string graphFile)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_namesByGraph.TryGetValue(graphFile, out var names)) return;
        if (PrePacked == null) options.AddSessionConfigEntry(DisablePrepackingKey, "1");
        foreach (var (name, table) in names)
        {
            var value = _tables[table].Value;
            options.AddInitializer(name, value);
            lock (_given) _given.Add((graphFile, name, value));
        }
    }

    /// <summary>Test seam: the array of the user table (true) or the item table (false): the re-ranking's own.</summary>
    internal float[] Buffer(bool users) => _tables[users ? UsersKey : ItemsKey].Values;

    /// <summary>Test seam: the tensor over that array, as given to sessions.</summary>
    internal OrtValue Tensor(bool users) => _tables[users ? UsersKey : ItemsKey].Value;

    /// <summary>Test seam: every table given, in order, with the graph whose session it went to.</summary>
    internal IReadOnlyList<(string Graph, string Name, OrtValue Value)> Given
    {
        get
        {
            lock (_given) return [.. _given];
        }
    }

    /// <summary>Test seam: whether the tensors have been released (their arrays unpinned).</summary>
    internal bool IsDisposed => _disposed;

    /// <summary>
    /// Disposes <paramref name="sessions"/> (nulls skipped), then these tables: a session reads the arrays until it is
    /// disposed, so the tensors over them are released (the arrays unpinned) only after every session.
    /// </summary>
    public void DisposeAfter(params IDisposable?[] sessions)
    {
        foreach (var session in sessions) session?.Dispose();
        Dispose();
    }

    /// <summary>
    /// Releases the tensors (unpinning the arrays) and the packed copies. Call it only after every session they were given to
    /// (<see cref="DisposeAfter"/>).
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var (_, value) in _tables.Values) value.Dispose();
        PrePacked?.Dispose();
    }

    private void Add(string name, EmbeddingMatrix table) =>
        // Over the array itself, pinned while the tensor lives: no copy.
        _tables[name] = (table.Values, OrtValue.CreateTensorValueFromMemory(table.Values, [table.Rows, table.Dimension]));
}
