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
        // The version named is the managed API's this process loaded (the build's floor, or an override such as 1.32.0).
        string loaded = typeof(Microsoft.ML.OnnxRuntime.SessionOptions).Assembly.GetName().Version!.ToString(3);
        Assert.Contains($"<PackageReference Include=\"Microsoft.ML.OnnxRuntime\" Version=\"{loaded}\" />", error.Message, StringComparison.Ordinal);
        Assert.Contains($"Microsoft.ML.OnnxRuntime.Gpu {loaded[..loaded.LastIndexOf('.')]}.x (CUDA)", error.Message, StringComparison.Ordinal);
        Assert.Same(missing, error.InnerException);

        // Other failures pass through unchanged, and a working call returns its value.
        var other = new TypeInitializationException("Elsewhere", new InvalidOperationException("not a missing library"));
        Assert.Same(other, Assert.Throws<TypeInitializationException>(() => OnnxRuntimeNative.Require<int>("x", () => throw other)));
        Assert.Equal(7, OnnxRuntimeNative.Require("x", () => 7));
    }

    /// <summary>
    /// Regression (a package walkthrough): loading a saved model without a native runtime failed with ML.NET's loader's
    /// TargetInvocationException, the missing library four levels down; only saving named the package.
    /// </summary>
    [Fact]
    public void AMissingNativeLibrary_IsFoundUnderTheModelLoadersWrappers()
    {
        var missing = new System.Reflection.TargetInvocationException(new InvalidOperationException("Error during class instantiation",
            new TypeInitializationException("Microsoft.ML.OnnxRuntime.NativeMethods", new DllNotFoundException("Unable to load shared library 'onnxruntime' or one of its dependencies."))));
        var error = Assert.Throws<InvalidOperationException>(() => OnnxRuntimeNative.Require<int>("Loading a saved model", () => throw missing));
        Assert.StartsWith("Loading a saved model needs ONNX Runtime.", error.Message, StringComparison.Ordinal);
        Assert.True(OnnxRuntimeNative.IsMissing(error));

        // Another native library missing is not ONNX Runtime's.
        var other = new DllNotFoundException("Unable to load shared library 'libmkl'");
        Assert.Same(other, Assert.Throws<DllNotFoundException>(() => OnnxRuntimeNative.Require<int>("x", () => throw other)));
    }
}
