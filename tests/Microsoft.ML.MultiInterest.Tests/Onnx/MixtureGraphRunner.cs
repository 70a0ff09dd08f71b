using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>The encoder's outputs for one batch, copied out of ONNX Runtime.</summary>
internal sealed record EncodedBatch(int Batch, int Components, int Dimension, float[] UserEmbedding, long[] Clusters, double[] Weights, float[] Embeddings, long[] Quotas);

/// <summary>Runs exported mixture graphs through plain ONNX Runtime sessions, by the documented names only.</summary>
internal static class MixtureGraphRunner
{
    public static InferenceSession Open(Action<Stream> export)
    {
        using var stream = new MemoryStream();
        export(stream);
        return new OnnxSessionFactory().CreateSession(stream.ToArray());
    }

    public static EncodedBatch Encode(InferenceSession encoder, IReadOnlyList<int> users)
    {
        var rows = users.Select(u => (long)u).ToArray();
        using var rowValue = OrtValue.CreateTensorValueFromMemory(rows, [rows.Length]);
        using var runOptions = new RunOptions();
        using var outputs = encoder.Run(runOptions, [UserRowsInput], [rowValue],
            [UserEmbeddingName, MixtureClustersName, MixtureWeightsName, MixtureEmbeddingsName, QuotasName]);
        var shape = outputs[3].GetTensorTypeAndShape().Shape;
        return new EncodedBatch(rows.Length, (int)shape[1], (int)shape[2],
            outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorDataAsSpan<long>().ToArray(),
            outputs[2].GetTensorDataAsSpan<double>().ToArray(), outputs[3].GetTensorDataAsSpan<float>().ToArray(),
            outputs[4].GetTensorDataAsSpan<long>().ToArray());
    }

    public static (long[] Items, float[] Scores) Score(InferenceSession scorer, EncodedBatch encoded, float[]? mask)
    {
        var outputs = Run(scorer, encoded, mask, [ItemRowsOutput, ScoresOutput]);
        return (outputs[0].Longs, outputs[1].Floats);
    }

    /// <summary>The named outputs of the quota scorer, each copied out as int64s (<c>Longs</c>) or floats (<c>Floats</c>).</summary>
    public static (long[] Longs, float[] Floats)[] Run(InferenceSession scorer, EncodedBatch encoded, float[]? mask, string[] outputNames)
    {
        int b = encoded.Batch, m = encoded.Components, d = encoded.Dimension;
        using var clusters = OrtValue.CreateTensorValueFromMemory(encoded.Clusters, [b, m]);
        using var embeddings = OrtValue.CreateTensorValueFromMemory(encoded.Embeddings, [b, m, d]);
        using var quotas = OrtValue.CreateTensorValueFromMemory(encoded.Quotas, [b, m]);
        using var user = OrtValue.CreateTensorValueFromMemory(encoded.UserEmbedding, [b, d]);
        using var maskValue = mask == null ? null : OrtValue.CreateTensorValueFromMemory(mask, [b, mask.Length / Math.Max(1, b)]);
        var names = new List<string> { MixtureClustersName, MixtureEmbeddingsName, QuotasName, UserEmbeddingName };
        var values = new List<OrtValue> { clusters, embeddings, quotas, user };
        if (maskValue != null)
        {
            names.Add(ExclusionMaskInput);
            values.Add(maskValue);
        }
        using var runOptions = new RunOptions();
        using var outputs = scorer.Run(runOptions, names, values, outputNames);
        return outputs.Select(o => o.GetTensorTypeAndShape().ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64
            ? (o.GetTensorDataAsSpan<long>().ToArray(), Array.Empty<float>())
            : (Array.Empty<long>(), o.GetTensorDataAsSpan<float>().ToArray())).ToArray();
    }
}
