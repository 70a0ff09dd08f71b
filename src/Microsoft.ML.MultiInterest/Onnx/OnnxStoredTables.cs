using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The tables one model of an export keeps in its side file (ONNX external data), by initializer name, with the side file's
/// name (<see cref="Location"/>, relative to the model's folder) and each table's offset and length in it
/// (<see cref="OnnxModelFile.Write(ModelProto, string, OnnxStoredTables?)"/>): a later model of the same export that holds
/// the same table refers to those bytes rather than storing it again. The unimodal directory's vector scorer refers to the
/// unimodal scorer's item table this way, and a quota directory's encoder and quota scorers to its user and item tables
/// (docs/onnx.md, "Size limit: 2 GB and external data").
/// </summary>
internal sealed class OnnxStoredTables(string location)
{
    private readonly Dictionary<string, (long Offset, long Length)> _places = new(StringComparer.Ordinal);

    /// <summary>The side file's name, as a tensor's <c>location</c> gives it.</summary>
    public string Location { get; } = location;

    /// <summary>Records that table <paramref name="name"/> lies at <paramref name="offset"/>, <paramref name="length"/> bytes long.</summary>
    public void Add(string name, long offset, long length) => _places[name] = (offset, length);

    /// <summary>
    /// These tables, only those named in <paramref name="names"/>: the ones a later model holds with the same values (the
    /// same array written from), as its writer knows; a table of the same name but other values must not be named.
    /// </summary>
    public OnnxStoredTables Only(params string[] names) => As([.. names.Select(name => (name, name))]);

    /// <summary>
    /// These tables under the names a later model gives them: each pair names the later model's table and the stored table
    /// with the same values (the same array written from), as its writer knows. The quota directory's encoder calls the user
    /// table <c>user_table</c> where the unimodal scorer calls it <c>user_embeddings</c>. Stored tables a pair does not name
    /// are left out.
    /// </summary>
    public OnnxStoredTables As(params (string Table, string Stored)[] tables)
    {
        var kept = new OnnxStoredTables(Location);
        foreach (var (table, storedName) in tables)
            if (_places.TryGetValue(storedName, out var place)) kept._places[table] = place;
        return kept;
    }

    /// <summary>Whether <paramref name="tensor"/> is one of these tables, of the same length (a shorter or longer one is written apart).</summary>
    public bool Holds(TensorProto tensor) => _places.TryGetValue(tensor.Name, out var place) && place.Length == OnnxModelFile.DataBytes(tensor);

    /// <summary>Where table <paramref name="name"/> lies in the side file.</summary>
    public (long Offset, long Length) Place(string name) => _places[name];
}
