using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Every table a graph keeps in a side file (ONNX external data), given to its session (<c>SessionOptions.AddInitializer</c>)
/// from the arrays the opening read in its verified pass over that file (<see cref="OnnxVerifiedOpening.SideTables"/>), so
/// that ONNX Runtime neither reads nor maps the side file: a file swapped after the pass, or written over while the scorer
/// serves, is never served. A scorer that reads the same table for itself during the opening gets the same array, so the
/// table is held once. Owned by the session it is given to (<see cref="OnnxTableSession"/>).
/// </summary>
internal sealed class OnnxGivenTables : IDisposable
{
    private readonly List<(string Name, OrtValue Value)> _values = [];
    private IDisposable? _prepacked;

    private OnnxGivenTables()
    {
    }

    /// <summary>The bytes of the largest table given: from <see cref="OnnxSessionFactory.PrepackTablesBelowBytes"/> on, the session does not prepack.</summary>
    public long LargestBytes { get; private set; }

    /// <summary>The names of the tables given, in the graph's order.</summary>
    public IEnumerable<string> Names => _values.Select(v => v.Name);

    /// <summary>
    /// The tables of <paramref name="model"/> (the verified bytes of the graph <paramref name="path"/>, or a cut of them) kept in
    /// a side file, but those named in <paramref name="except"/> (given by the caller); null when there are none.
    /// </summary>
    /// <exception cref="InvalidDataException">A side file does not match its recorded SHA-256, or a table is of an element type no table is read as.</exception>
    public static OnnxGivenTables? Read(OnnxVerifiedOpening opening, byte[] model, string path, IReadOnlyCollection<string> except)
    {
        var external = OnnxInitializerFile.ExternalTables(model, path).Where(t => !except.Contains(t.Name)).ToList();
        if (external.Count == 0) return null;
        var given = new OnnxGivenTables();
        try
        {
            foreach (var side in external.GroupBy(t => t.Table.SidePath))
            {
                var tables = side.ToList();
                var requests = tables.Select(t => (t.Table, OnnxElementTypes.ClrType(t.DataType) ?? throw UnreadType(path, t.Name, t.DataType))).ToList();
                // A side file no verified manifest records (none does in a directory without checksums) is read as the library reads it elsewhere.
                var arrays = opening.Records(side.Key) ? opening.SideTables(side.Key, requests) : Unverified(requests);
                for (int i = 0; i < tables.Count; i++)
                {
                    given._values.Add((tables[i].Name, OnnxElementTypes.Tensor(arrays[i], tables[i].Dims)));
                    given.LargestBytes = Math.Max(given.LargestBytes, tables[i].Table.Length);
                }
            }
            return given;
        }
        catch
        {
            given.Dispose();
            throw;
        }
    }

    private static Array[] Unverified(List<(OnnxExternalTable Table, Type Element)> requests)
    {
        var arrays = new Array[requests.Count];
        for (int i = 0; i < arrays.Length; i++)
        {
            var (table, element) = requests[i];
            arrays[i] = OnnxElementTypes.New(element, table.Length / OnnxElementTypes.Size(element));
            table.ReadInto(arrays[i]);
        }
        return arrays;
    }

    /// <summary>Gives the tables to a session about to be created with <paramref name="options"/>.</summary>
    public void AddTo(SessionOptions options)
    {
        foreach (var (name, value) in _values) options.AddInitializer(name, value);
    }

    /// <summary>Keeps <paramref name="lease"/> (the session's reference to a shared prepacked container) until disposed.</summary>
    public void Hold(IDisposable lease) => _prepacked = lease;

    /// <summary>Releases the tensors (unpinning the arrays) and the container reference: only after the session is disposed.</summary>
    public void Dispose()
    {
        foreach (var (_, value) in _values) value.Dispose();
        _values.Clear();
        Interlocked.Exchange(ref _prepacked, null)?.Dispose();
    }

    private static InvalidDataException UnreadType(string path, string name, int dataType) =>
        new($"Initializer '{name}' of the ONNX model '{path}' keeps values of ONNX element type {dataType} in its side file, which this library does not "
            + "read (it reads float, double, the integer types and bool): the model was not written by Microsoft.ML.MultiInterest, or was edited. Export it again.");
}
