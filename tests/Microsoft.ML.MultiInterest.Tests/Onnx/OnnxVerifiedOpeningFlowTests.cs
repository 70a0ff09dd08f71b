using System.Security.Cryptography;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// The verified opening (<see cref="OnnxVerifiedOpening"/>) is flow-local, and the parts a scorer opens join it. User code
/// runs during an opening (a factory's log callback, said at its first session when a GPU request falls back to the CPU):
/// work it queues carries the flow as it was, the opening under way included, and it may open a directory itself. Neither
/// may join an opening that ended (and serve its bytes), nor an opening made with another factory (and be verified with that
/// factory's key, or none).
/// </summary>
public sealed class OnnxVerifiedOpeningFlowTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-verified-flow-").FullName;
    private readonly ECDsa _signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _signer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static readonly int[] Users = [0, 1, 2, 3, 4, 5];

    private static int[][] Lists(string onnx, OnnxSessionFactory? sessions)
    {
        using var scorer = OnnxCandidateScorer.Open(onnx, sessions, batchSize: 4);
        var lists = scorer.RetrieveUnimodal(Users);
        return [.. Users.Select((_, q) => lists.IndicesOf(q).ToArray())];
    }

    private string Exported(string kind, int seed)
    {
        var (model, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: seed), Directory.CreateDirectory(Path.Combine(_directory, $"seed{seed}")).FullName, kind);
        model.Dispose();
        return onnx;
    }

    /// <summary>A factory asking for a GPU on a host that lists none, whose log (called once, at its first session) runs <paramref name="log"/>.</summary>
    private static OnnxSessionFactory FallingBack(Action<string> log) => new(0, log, () => ["CPUExecutionProvider"]);

    /// <summary>Writes the export <paramref name="source"/> into <paramref name="target"/> as an export does: the manifest last.</summary>
    private static void ExportedAgainInto(string source, string target)
    {
        foreach (string file in Directory.GetFiles(source).Where(f => Path.GetFileName(f) != OnnxServingDirectory.ManifestFileName))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        File.Copy(Path.Combine(source, OnnxServingDirectory.ManifestFileName), Path.Combine(target, OnnxServingDirectory.ManifestFileName), overwrite: true);
    }

    [Fact]
    public void AFlowCapturedDuringAnOpening_LaterOpensTheDirectoryAsItIsThen_NotTheEndedOpeningsBytes()
    {
        string onnx = Exported("unimodal", seed: 1), next = Exported("unimodal", seed: 2);
        ExecutionContext? captured = null;
        var sessions = FallingBack(_ => captured ??= ExecutionContext.Capture());
        var first = Lists(onnx, sessions);
        Assert.NotNull(captured);
        Assert.Null(OnnxVerifiedOpening.Current);

        // The next day's export, into the same directory: what any fresh flow opens now.
        ExportedAgainInto(next, onnx);
        var exported = Lists(onnx, sessions);
        Assert.NotEqual(first, exported);

        // The captured flow (a log's queued work, a timer it started) holds no opening, and opens the directory as it is now.
        bool? noneLeft = null;
        int[][]? served = null;
        ExecutionContext.Run(captured!, _ =>
        {
            noneLeft = OnnxVerifiedOpening.Current == null;
            served = Lists(onnx, sessions);
        }, null);
        Assert.Equal(exported, served);
        Assert.True(noneLeft);
    }

    [Fact]
    public void AnOpeningWithinAnotherFactorysOpening_IsVerifiedWithItsOwnTrustedKey()
    {
        var (model, mmr) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "mmr");
        model.Dispose();
        OnnxDirectorySignature.Sign(mmr, _signer);
        File.Delete(Path.Combine(mmr, OnnxDirectorySignature.FileName));
        string pool = Path.Combine(mmr, OnnxMmrScorer.PoolDirectoryName), other = Exported("unimodal", seed: 2);
        using var trusted = ECDsa.Create();
        trusted.ImportFromPem(_signer.ExportSubjectPublicKeyInfoPem());
        var trusting = new OnnxSessionFactory { TrustedSigningKey = trusted };
        // On its own, the pool is refused: the enclosing directory it reads is not signed.
        Assert.Contains("is not signed", Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(pool, trusting).Dispose()).Message, StringComparison.Ordinal);

        // The same opening, from the log of another factory (no key) while that one opens another directory.
        Exception? inner = null;
        bool opened = false;
        var outer = FallingBack(_ =>
        {
            try
            {
                OnnxCandidateScorer.Open(pool, trusting).Dispose();
                opened = true;
            }
            catch (InvalidDataException e)
            {
                inner = e;
            }
        });
        Lists(other, outer);
        Assert.False(opened);
        Assert.Contains($"'{mmr}' is not signed", inner!.Message, StringComparison.Ordinal);
        Assert.Null(OnnxVerifiedOpening.Current);
    }
}
