namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>
/// The clash retry's clean-up deletes only the copy ML.NET wrote for the refused graph, not every '.ort' file that appeared in
/// the (shared) temp directory meanwhile: another program's ORT-format model written there during the attempt is kept.
/// </summary>
public class OrtCleanupKeepsOthersFilesTests
{
    private static InvalidOperationException Clash() =>
        new("Error initializing model :Microsoft.ML.OnnxRuntime.OnnxRuntimeException",
            new InvalidOperationException("[ErrorCode:Fail] inference_session.cc:2226 operator() ORT model verification failed."));

    [Fact]
    public void Ort_files_other_programs_write_during_a_clashing_attempt_are_kept()
    {
        string temp = Path.Combine(Path.GetTempPath(), $"clash-review-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            // An ORT-format model (flatbuffer identifier "ORTM" at offset 4) and a user's file of another name, both written by
            // something else while the load runs.
            byte[] ortFormat = [0x10, 0, 0, 0, (byte)'O', (byte)'R', (byte)'T', (byte)'M', 1, 2, 3, 4];
            string theirs = Path.Combine(temp, "abcdefgh.ort"), named = Path.Combine(temp, "user-model.ort");
            string ours = Path.Combine(temp, Path.GetFileNameWithoutExtension(Path.GetRandomFileName()) + ".ort");
            int calls = 0;
            int result = OrtNameClash.Retry(() =>
            {
                if (++calls == 1)
                {
                    File.WriteAllBytes(ours, [0x08, 0x08, 0x12, 0x04]); // ML.NET's copy: an ONNX ModelProto
                    File.WriteAllBytes(theirs, ortFormat);
                    File.WriteAllBytes(named, ortFormat);
                    throw Clash();
                }
                return calls;
            }, temp);
            Assert.Equal(2, result);
            Assert.False(File.Exists(ours));
            Assert.True(File.Exists(theirs), "another program's ORT-format model was deleted");
            Assert.True(File.Exists(named), "a user's own .ort file was deleted");
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
