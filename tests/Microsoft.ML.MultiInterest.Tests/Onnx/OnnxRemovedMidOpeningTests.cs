using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// A file the manifest records, removed while a scorer opens the directory (after the opening verified it): refused by name
/// as a missing file of the directory, as one missing before the opening is, never a bare <see cref="FileNotFoundException"/>
/// from whichever read came upon it.
/// </summary>
public sealed class OnnxRemovedMidOpeningTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-removed-mid-opening-").FullName;

    public void Dispose()
    {
        OnnxDirectoryOpening.AfterVerifying.Value = null;
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData(OnnxExternalData.Always)]
    [InlineData(OnnxExternalData.Automatic)]
    public void EveryRecordedFile_RemovedAfterVerifying_IsRefusedAsMissing_OrServedFromTheVerifiedBytes(OnnxExternalData externalData)
    {
        var w = MixtureWorld.Create(seed: 3);
        string directory = Path.Combine(_directory, externalData.ToString());
        OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, 5, directory, exclusionMask: true, externalData: externalData);
        int[] genuine;
        using (var scorer = OnnxCandidateScorer.Open(directory))
            genuine = scorer.RetrieveUnimodal([0]).IndicesOf(0).ToArray();
        string saved = Path.Combine(_directory, "saved");
        Directory.CreateDirectory(saved);

        var recorded = OnnxServingManifest.Read(directory).FileSha256!.Keys.ToArray();
        Assert.NotEmpty(recorded);
        var refused = new List<string>();
        foreach (string name in recorded)
        {
            string path = Path.Combine(directory, name), keep = Path.Combine(saved, name.Replace('/', '_'));
            OnnxDirectoryOpening.AfterVerifying.Value = opened => { if (File.Exists(path)) File.Move(path, keep); };
            try
            {
                using var scorer = OnnxCandidateScorer.Open(directory);
                // Served only from bytes read before the removal: the verified ones.
                Assert.Equal(genuine, scorer.RetrieveUnimodal([0]).IndicesOf(0).ToArray());
            }
            catch (Exception e)
            {
                Assert.True(e is InvalidDataException, $"{name}: {e}");
                var refusal = (InvalidDataException)e;
                Assert.Contains($"'{path}'", refusal.Message, StringComparison.Ordinal);
                Assert.Contains("is missing", refusal.Message, StringComparison.Ordinal);
                refused.Add(name);
            }
            finally
            {
                OnnxDirectoryOpening.AfterVerifying.Value = null;
                if (File.Exists(keep)) File.Move(keep, path);
            }
        }
        // The graphs and the user id file were read and hashed while verifying: their removal is of no account. Only a side
        // file, whose bytes are not kept, may be refused; before, the graph's removal was a bare FileNotFoundException.
        Assert.All(refused, name => Assert.EndsWith(OnnxServingDefaults.ExternalDataSuffix, name, StringComparison.Ordinal));
        Assert.Contains(OnnxServingDirectory.UnimodalScorerFileName, recorded);
    }
}
