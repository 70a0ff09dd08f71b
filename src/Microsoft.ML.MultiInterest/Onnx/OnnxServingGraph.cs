namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>One model of a serving directory: its file name and the names of its inputs and outputs.</summary>
public sealed class OnnxServingGraph
{
    /// <summary>The .onnx file, relative to the directory.</summary>
    public string File { get; init; } = "";

    /// <summary>Input names, in the order documented for the graph.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>Output names.</summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];
}
