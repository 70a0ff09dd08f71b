using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>A missing ONNX Runtime native library is reported with the package to add, not as a type-initializer failure.</summary>
public sealed class OnnxRuntimeNativeTests
{
    [Fact]
    public void AMissingNativeLibrary_IsNamedWithThePackageToAdd()
    {
        // What ONNX Runtime's managed API throws on first use when no native package is referenced.
        var missing = new TypeInitializationException("Microsoft.ML.OnnxRuntime.NativeMethods", new DllNotFoundException("Unable to load shared library 'onnxruntime'"));
        var error = Assert.Throws<InvalidOperationException>(() => OnnxRuntimeNative.Require<int>("Saving the GraphEmbedding stage", () => throw missing));
        Assert.StartsWith("Saving the GraphEmbedding stage needs ONNX Runtime.", error.Message, StringComparison.Ordinal);
        Assert.Contains("<PackageReference Include=\"Microsoft.ML.OnnxRuntime\" Version=\"1.31.1\" />", error.Message, StringComparison.Ordinal);
        Assert.Same(missing, error.InnerException);

        // Other failures pass through unchanged, and a working call returns its value.
        var other = new TypeInitializationException("Elsewhere", new InvalidOperationException("not a missing library"));
        Assert.Same(other, Assert.Throws<TypeInitializationException>(() => OnnxRuntimeNative.Require<int>("x", () => throw other)));
        Assert.Equal(7, OnnxRuntimeNative.Require("x", () => 7));
    }
}
