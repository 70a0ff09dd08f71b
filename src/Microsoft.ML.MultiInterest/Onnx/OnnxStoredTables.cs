using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The tables one model of an export keeps in its side file (ONNX external data), by initializer name, with the side file's
/// name (<see cref="Location"/>, relative to the model's folder) and each table's offset and length in it
/// (<see cref="OnnxModelFile.Write(ModelProto, string, OnnxStoredTables?)"/>): a later model of the same export that holds
/// the same table refers to those bytes rather than storing it again. The unimodal directory's vector scorer refers to the
/// unimodal scorer's item table this way (docs/onnx.md, "Size limit: 2 GB and external data").
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
    public OnnxStoredTables Only(params string[] names)
    {
        var kept = new OnnxStoredTables(Location);
        foreach (string name in names)
            if (_places.TryGetValue(name, out var place)) kept._places[name] = place;
        return kept;
    }

    /// <summary>Whether <paramref name="tensor"/> is one of these tables, of the same length (a shorter or longer one is written apart).</summary>
    public bool Holds(TensorProto tensor) => _places.TryGetValue(tensor.Name, out var place) && place.Length == OnnxModelFile.DataBytes(tensor);

    /// <summary>Where table <paramref name="name"/> lies in the side file.</summary>
    public (long Offset, long Length) Place(string name) => _places[name];
}
