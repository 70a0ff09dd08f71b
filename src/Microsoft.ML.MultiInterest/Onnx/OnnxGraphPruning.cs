using Google.Protobuf;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// A copy of an ONNX model that computes only some of its outputs. ONNX Runtime runs every node of a graph whichever outputs
/// a call asks for (its public API does not prune), so a caller that never reads an output pays for it unless the graph it
/// runs leaves that output out.
/// </summary>
internal static class OnnxGraphPruning
{
    /// <summary>
    /// The bytes of <paramref name="model"/> with only the nodes, initializers and inputs that <paramref name="outputs"/> need,
    /// and those outputs; the model unchanged if it has a node with subgraphs (control flow), whose inner reads this does not follow.
    /// </summary>
    /// <param name="model">A serialized ONNX model whose nodes are in topological order, as the specification requires.</param>
    /// <param name="outputs">Names of graph outputs to keep.</param>
    /// <exception cref="ArgumentException">An output is not one of the graph's.</exception>
    public static byte[] KeepOutputs(byte[] model, IReadOnlyCollection<string> outputs)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        var pruned = KeepOutputs(proto, outputs);
        return ReferenceEquals(pruned, proto) ? model : pruned.ToByteArray();
    }

    /// <summary>
    /// As <see cref="KeepOutputs(byte[], IReadOnlyCollection{string})"/> on a model in memory; the kept initializers are the
    /// model's own objects (a table streamed into external data, <see cref="StreamedTables"/>, stays one), and
    /// <paramref name="model"/> itself is returned when it has control flow.
    /// </summary>
    public static ModelProto KeepOutputs(ModelProto model, IReadOnlyCollection<string> outputs)
    {
        var graph = model.Graph;
        foreach (string name in outputs)
            if (!graph.Output.Any(o => o.Name == name)) throw new ArgumentException($"The graph has no output '{name}'.", nameof(outputs));
        if (graph.Node.Any(n => n.OpType is "If" or "Loop" or "Scan")) return model;
        var needed = new HashSet<string>(outputs, StringComparer.Ordinal);
        var kept = new List<NodeProto>();
        // Backwards through the topological order: a node is kept when a later kept node (or an output) reads one of its outputs.
        for (int i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (!node.Output.Any(needed.Contains)) continue;
            kept.Add(node);
            foreach (string input in node.Input)
                if (input.Length > 0) needed.Add(input);
        }
        kept.Reverse();
        var pruned = graph.Clone();
        pruned.Node.Clear();
        pruned.Node.AddRange(kept);
        pruned.Initializer.Clear();
        pruned.Initializer.AddRange(graph.Initializer.Where(t => needed.Contains(t.Name)));
        Keep(pruned.Input, v => needed.Contains(v.Name));
        Keep(pruned.Output, v => outputs.Contains(v.Name));
        Keep(pruned.ValueInfo, v => needed.Contains(v.Name));
        var copy = model.Clone();
        copy.Graph = pruned;
        return copy;
    }

    private static void Keep<T>(Google.Protobuf.Collections.RepeatedField<T> field, Func<T, bool> keep)
    {
        var kept = field.Where(keep).ToArray();
        field.Clear();
        field.AddRange(kept);
    }
}
