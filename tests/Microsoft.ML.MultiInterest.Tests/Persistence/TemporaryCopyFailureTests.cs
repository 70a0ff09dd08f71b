namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>
/// Regression (a walkthrough of outputs under failure): a full or read-only temp directory made MultiInterestModel.Load call a
/// sound model "not a readable ML.NET model zip (corrupt, ...)", since every IOException counted as damage. An I/O error
/// naming a path under the temp directory is said as the temp directory's.
/// </summary>
public class TemporaryCopyFailureTests
{
    [Fact]
    public void AnIoErrorUnderTheTempDirectoryIsNotDamageToTheModel()
    {
        string copy = Path.Combine(Path.GetTempPath(), "ml_dotnet_abc", "model.onnx");
        var full = new IOException($"No space left on device : '{copy}'");
        // As ML.NET's loader wraps it: a reflection wrapper around the transformer's constructor.
        var wrapped = new System.Reflection.TargetInvocationException(new InvalidOperationException("Error during class instantiation", full));
        Assert.Same(full, MultiInterestModel.TemporaryCopyFailure(wrapped, Path.GetTempPath()));
        Assert.NotNull(MultiInterestModel.TemporaryCopyFailure(new UnauthorizedAccessException($"Access to the path '{copy}' is denied."), Path.GetTempPath()));

        // Damage inside the zip, or an I/O error elsewhere, is not the temp directory's.
        Assert.Null(MultiInterestModel.TemporaryCopyFailure(new InvalidDataException("End of Central Directory record could not be found."), Path.GetTempPath()));
        Assert.Null(MultiInterestModel.TemporaryCopyFailure(new IOException("No space left on device : '/srv/models/m.zip'"), Path.GetTempPath()));
        Assert.Null(MultiInterestModel.TemporaryCopyFailure(new EndOfStreamException($"Unable to read beyond the end of the stream '{copy}'."), Path.GetTempPath()));
    }

    /// <summary>
    /// A service that points the context's TempFilePath away from TMPDIR (soak walkthrough): a full copy directory there was
    /// reported as a corrupt model, since only the temp directory's paths were looked for.
    /// </summary>
    [Fact]
    public void TheContextsTempFilePathIsTheDirectoryLookedFor()
    {
        string own = Path.Combine(Path.GetTempPath(), "service-copies");
        var full = new IOException($"No space left on device : '{Path.Combine(own, "abcd1234.efg")}'");
        Assert.Same(full, MultiInterestModel.TemporaryCopyFailure(full, own + Path.DirectorySeparatorChar));
        Assert.Null(MultiInterestModel.TemporaryCopyFailure(full, "/srv/elsewhere"));
    }
}
