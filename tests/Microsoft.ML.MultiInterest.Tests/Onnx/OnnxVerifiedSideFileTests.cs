using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// A side file (ONNX external data) swapped after the opening verified it: the tables an <see cref="OnnxCandidateScorer"/>
/// reads from it (and gives its sessions) are hashed as they are read, so the forged tables are refused by name, never served.
/// </summary>
public sealed class OnnxVerifiedSideFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-verified-side-").FullName;

    public void Dispose()
    {
        OnnxDirectoryOpening.AfterVerifying.Value = null;
        Directory.Delete(_directory, recursive: true);
    }

    private string Export(int seed)
    {
        var w = MixtureWorld.Create(seed: seed);
        string directory = Path.Combine(_directory, $"seed{seed}");
        OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, 5, directory, exclusionMask: true, externalData: OnnxExternalData.Always);
        return directory;
    }

    [Fact]
    public void ASideFileSwappedAfterVerifying_IsRefusedByName_NotServed()
    {
        string served = Export(seed: 3), forged = Export(seed: 4);
        string side = OnnxModelFile.SideFileName(OnnxServingDirectory.UnimodalScorerFileName);
        Assert.True(File.Exists(Path.Combine(served, side)));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(served, side)), File.ReadAllBytes(Path.Combine(forged, side)));

        int[] genuine;
        using (var scorer = OnnxCandidateScorer.Open(served))
            genuine = scorer.RetrieveUnimodal([0]).IndicesOf(0).ToArray();

        OnnxDirectoryOpening.AfterVerifying.Value = directory =>
        {
            foreach (string file in Directory.GetFiles(forged, "*.onnx.data"))
                File.Copy(file, Path.Combine(directory, Path.GetFileName(file)), overwrite: true);
        };
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            using var scorer = OnnxCandidateScorer.Open(served);
            // Reached only if the forged tables were read: the test then fails on the lists, or on the missing refusal.
            Assert.Equal(genuine, scorer.RetrieveUnimodal([0]).IndicesOf(0).ToArray());
        });
        Assert.Contains(side, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not match the SHA-256", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnePass_FillsTablesAcrossBlocksAtAnyOffset_AndHashesTheWholeFile()
    {
        // A float table crossing two 1 MiB blocks at an offset no element size divides, a long table after it, and a tail.
        var rng = new Random(7);
        var floats = new float[600_000];
        var longs = new long[1_000];
        for (int i = 0; i < floats.Length; i++) floats[i] = (float)rng.NextDouble();
        for (int i = 0; i < longs.Length; i++) longs[i] = rng.NextInt64();
        byte[] floatBytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()).ToArray();
        byte[] longBytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(longs.AsSpan()).ToArray();
        byte[] file = [.. new byte[3], .. floatBytes, .. new byte[5], .. longBytes, .. new byte[11]];
        string path = Path.Combine(_directory, "side.data");
        File.WriteAllBytes(path, file);

        var floatTable = new OnnxExternalTable("m.onnx", "f", path, 3, floatBytes.Length);
        var longTable = new OnnxExternalTable("m.onnx", "l", path, 3 + floatBytes.Length + 5, longBytes.Length);
        var readFloats = new float[floats.Length];
        var readLongs = new long[longs.Length];
        string sha = OnnxSideFilePass.Read(path, [(floatTable, readFloats), (longTable, readLongs)]);

        Assert.Equal(floats, readFloats);
        Assert.Equal(longs, readLongs);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file)), sha);
        // A file cut inside a table is refused by name, not zero-filled.
        File.WriteAllBytes(path, file[..(file.Length - 20)]);
        var e = Assert.Throws<InvalidDataException>(() => OnnxSideFilePass.Read(path, [(longTable, new long[longs.Length])]));
        Assert.Contains("ended inside initializer 'l'", e.Message, StringComparison.Ordinal);
    }
}
