using System.Diagnostics;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Stops <c>mlContext.Model.ConvertToOnnx</c> on a pipeline holding one of this library's transformers. ML.NET lets only
/// its own assemblies take part in that conversion (its <c>ICanSaveOnnx</c> interface is internal), and for any other
/// transformer it writes a model in which the transformer's outputs silently become pass-through inputs. The
/// converter calls <see cref="ITransformer.Transform"/> on the pipeline first; the library's transformers look for the
/// converter on the call stack there and throw instead, pointing to the library's own ONNX export.
/// </summary>
internal static class OnnxConversionGuard
{
    private const string ConverterType = "Microsoft.ML.OnnxExportExtensions";
    private const string ConverterNamespace = "Microsoft.ML.Model.OnnxConverter";

    /// <summary>Throws a <see cref="NotSupportedException"/> when called from within ML.NET's ONNX converter.</summary>
    /// <param name="transformer">The transformer's type name, for the message.</param>
    public static void ThrowIfConverting(string transformer)
    {
        if (Converting())
            throw new NotSupportedException(
                $"mlContext.Model.ConvertToOnnx cannot convert a pipeline containing {transformer}: ML.NET's converter only knows its own transformers "
                + "and would write a model in which this library's output columns are mere inputs. Save the pipeline with mlContext.Model.Save, then "
                + "export the library's ONNX graphs with MultiInterestModel.Load(mlContext, path).ExportOnnx(directory) (command line: export-onnx); "
                + "see docs/persistence.md and docs/onnx.md.");
    }

    /// <summary>Whether ML.NET's ONNX converter is on the call stack.</summary>
    public static bool Converting()
    {
        var frames = new StackTrace(1, fNeedFileInfo: false).GetFrames();
        foreach (var frame in frames)
        {
            // DiagnosticMethodInfo, not StackFrame.GetMethod(): it needs no reflection metadata, so a trimmed application keeps the check.
            string? type = DiagnosticMethodInfo.Create(frame)?.DeclaringTypeName;
            if (type == null) continue;
            if (type == ConverterType || type.StartsWith(ConverterNamespace + ".", StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
