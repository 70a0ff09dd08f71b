using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>Runs an exported unimodal scorer through a plain ONNX Runtime session.</summary>
internal static class OnnxScorerRunner
{
    public static (long[] Items, float[] Scores) Run(InferenceSession session, IReadOnlyList<int> users, float[]? mask)
    {
        var rows = users.Select(u => (long)u).ToArray();
        var names = new List<string> { UnimodalOnnxExporter.UserRowsInput };
        using var rowValue = OrtValue.CreateTensorValueFromMemory(rows, [rows.Length]);
        var values = new List<OrtValue> { rowValue };
        using var maskValue = mask == null ? null : OrtValue.CreateTensorValueFromMemory(mask, [rows.Length, mask.Length / Math.Max(1, rows.Length)]);
        if (maskValue != null)
        {
            names.Add(UnimodalOnnxExporter.ExclusionMaskInput);
            values.Add(maskValue);
        }
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, names, values, [UnimodalOnnxExporter.ItemRowsOutput, UnimodalOnnxExporter.ScoresOutput]);
        return (outputs[0].GetTensorDataAsSpan<long>().ToArray(), outputs[1].GetTensorDataAsSpan<float>().ToArray());
    }
}
