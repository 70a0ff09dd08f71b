namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Where an ONNX export keeps its tables (docs/onnx.md, "Size limit: 2 GB and external data"). A model file is one protobuf
/// message, which cannot exceed 2 GB; ONNX <em>external data</em> moves a table's bytes into a side file next to the model
/// (<c>&lt;model&gt;.onnx.data</c>), which ONNX Runtime reads when it opens the model from its path.
/// </summary>
public enum OnnxExternalData
{
    /// <summary>
    /// Every model that fits in one protobuf message is written whole, as before external data existed (byte for byte);
    /// a model that would pass the limit keeps its large tables (1 KiB and over) in its side file instead.
    /// </summary>
    Automatic = 0,

    /// <summary>
    /// Every model keeps its large tables (1 KiB and over) in its side file, whatever its size: for clients that memory-map
    /// the tables, or to try a serving stack's external-data path on a small model before a large one needs it.
    /// </summary>
    Always = 1,
}
