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
    /// A service holding many tenants' models (multi-tenant walk): each keeps one file open per ONNX stage, and under a low
    /// open-file limit the next load's copy failed with EMFILE, which was reported as a full temp directory ("Free space there").
    /// </summary>
    [Fact]
    public void RunningOutOfFileHandlesIsSaidAsSuch()
    {
        string copy = Path.Combine(Path.GetTempPath(), "abcd1234.efg");
        var emfile = new IOException($"Too many open files : '{copy}'", 24);
        Assert.Same(emfile, MultiInterestModel.TemporaryCopyFailure(emfile, Path.GetTempPath()));
        string message = MultiInterestModel.TemporaryCopyMessage("'m.zip'", Path.GetTempPath(), emfile);
        if (OperatingSystem.IsWindows()) return; // errno 24 is EMFILE on Unix only
        Assert.Contains("no file handle left", message);
        Assert.Contains("one file open per ONNX stage", message);
        Assert.DoesNotContain("Free space", message);
        Assert.Contains("Free space", MultiInterestModel.TemporaryCopyMessage("'m.zip'", Path.GetTempPath(), new IOException($"No space left on device : '{copy}'", 28)));
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
