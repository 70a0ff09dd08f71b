namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>The checks every retrieval stage's refusals share: bad options named by the estimator, ONNX export refused without writing.</summary>
internal static class StageRefusals
{
    /// <summary>The option an estimator names when made from <paramref name="options"/> changed by <paramref name="set"/>.</summary>
    public static string RefusedOption<TOptions>(Func<TOptions> options, Action<TOptions> set, Func<TOptions, object> create)
    {
        var o = options();
        set(o);
        return Assert.ThrowsAny<ArgumentException>(() => create(o)).ParamName!;
    }

    /// <summary>Asserts that exporting <paramref name="model"/> to ONNX is refused with a message containing <paramref name="gist"/> and writes no file.</summary>
    public static void AssertExportRefused(MultiInterestModel model, string directory, string gist)
    {
        var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(directory));
        Assert.Contains(gist, error.Message);
        Assert.False(Directory.Exists(directory) && Directory.EnumerateFiles(directory).Any());
    }
}
