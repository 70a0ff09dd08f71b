using System.Security.Cryptography;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.Onnx;
using Microsoft.ML.MultiInterest.Tests.Serving;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>export-onnx --signing-key</c> and <c>recommend --onnx --trusted-key</c>: a directory signed at export is served with
/// the same lists as unsigned; an unsigned one, one signed by another key, one whose file was forged with its checksums
/// recorded again, and keys that cannot do the job are refused, each naming what was wrong.
/// </summary>
public sealed class CliSignedOnnxTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-signed-onnx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>A fresh P-256 key's private and public PEM files under <paramref name="name"/>.</summary>
    private (string Private, string Public) Keys(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(PathOf(name + ".pem"), key.ExportECPrivateKeyPem());
        File.WriteAllText(PathOf(name + ".pub.pem"), key.ExportSubjectPublicKeyInfoPem());
        return (PathOf(name + ".pem"), PathOf(name + ".pub.pem"));
    }

    private void Fit()
    {
        File.WriteAllLines(PathOf("train.tsv"), SameNodeGraph.TsvLines());
        File.WriteAllLines(PathOf("users.tsv"), ["user", SameNodeGraph.Node(0, 0), SameNodeGraph.Node(1, 2), "r0"]);
        var fit = CliHarness.Run("fit", "--train", PathOf("train.tsv"), "--model", PathOf("m.zip"), "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1",
            "--retriever", "quota", "--candidates", "6");
        Assert.True(fit.ExitCode == 0, fit.Error);
    }

    private CliHarness.Outcome Recommend(string onnx, string output, params string[] extra) =>
        CliHarness.Run(["recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--out", PathOf(output), "--onnx", "--onnx-dir", PathOf(onnx), .. extra]);

    [Fact]
    public void ASignedExportIsServedAsTheUnsignedOne_AndEveryOtherDirectoryIsRefused()
    {
        Fit();
        var (signing, trusted) = Keys("signing");
        var (_, stranger) = Keys("stranger");
        var export = CliHarness.Run("export-onnx", "--model", PathOf("m.zip"), "--out", PathOf("signed"), "--signing-key", signing);
        Assert.True(export.ExitCode == 0, export.Error);
        Assert.Contains(OnnxDirectorySignature.FileName, export.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(PathOf("signed"), OnnxDirectorySignature.FileName)));
        Assert.True(CliHarness.Run("export-onnx", "--model", PathOf("m.zip"), "--out", PathOf("unsigned")).ExitCode == 0);

        var plain = Recommend("unsigned", "plain.tsv");
        Assert.True(plain.ExitCode == 0, plain.Error);
        var served = Recommend("signed", "served.tsv", "--trusted-key", trusted);
        Assert.True(served.ExitCode == 0, served.Error);
        Assert.Equal(File.ReadAllText(PathOf("plain.tsv")), File.ReadAllText(PathOf("served.tsv")));
        Assert.DoesNotContain("warning", served.Error, StringComparison.Ordinal);

        var unsigned = Recommend("unsigned", "x.tsv", "--trusted-key", trusted);
        Assert.Equal(1, unsigned.ExitCode);
        Assert.Contains("is not signed (it has no manifest.json.sig)", unsigned.Error, StringComparison.Ordinal);
        var other = Recommend("signed", "x.tsv", "--trusted-key", stranger);
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("does not verify the manifest of", other.Error, StringComparison.Ordinal);

        // A forged item table whose checksum was recorded again and the manifest sealed again: served without the key, refused with it.
        string graph = Path.Combine(PathOf("signed"), OnnxServingDirectory.UnimodalScorerFileName);
        byte[] bytes = File.ReadAllBytes(graph);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(graph, bytes);
        ServingChecksums.Reseal(PathOf("signed"));
        var forged = Recommend("signed", "x.tsv", "--trusted-key", trusted);
        Assert.Equal(1, forged.ExitCode);
        Assert.Contains("its manifest changed after it was signed", forged.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void KeysThatCannotDoTheJob_AndATrustedKeyWithoutASignedDirectory_AreNamed()
    {
        Fit();
        var (signing, trusted) = Keys("signing");
        var publicOnly = CliHarness.Run("export-onnx", "--model", PathOf("m.zip"), "--out", PathOf("a"), "--signing-key", trusted);
        Assert.Equal(1, publicOnly.ExitCode);
        Assert.Contains("--signing-key: the file", publicOnly.Error, StringComparison.Ordinal);
        Assert.Contains("holds a public key only", publicOnly.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(PathOf("a")) && Directory.EnumerateFiles(PathOf("a")).Any());
        var notAKey = CliHarness.Run("export-onnx", "--model", PathOf("m.zip"), "--out", PathOf("a"), "--signing-key", PathOf("train.tsv"));
        Assert.Equal(1, notAKey.ExitCode);
        Assert.Contains("holds no EC key in PEM that can be read", notAKey.Error, StringComparison.Ordinal);

        var temporary = CliHarness.Run("recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("x.tsv"), "--onnx", "--trusted-key", trusted);
        Assert.Equal(2, temporary.ExitCode);
        Assert.Contains("--trusted-key serves a signed export: give its directory with --onnx-dir", temporary.Error, StringComparison.Ordinal);
        var withoutOnnx = CliHarness.Run("recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("x.tsv"), "--trusted-key", trusted);
        Assert.Equal(2, withoutOnnx.ExitCode);
        Assert.Contains("--trusted-key sets the ONNX scorer: add --onnx", withoutOnnx.Error, StringComparison.Ordinal);
        var empty = Recommend("empty", "x.tsv", "--trusted-key", trusted);
        Assert.Equal(1, empty.ExitCode);
        Assert.Contains("holds no export (no manifest.json), and with --trusted-key this command serves a signed export only", empty.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(PathOf("empty"), OnnxServingDirectory.ManifestFileName)));

        // The private key works as the trusted one (its public part verifies), with a warning that a server needs only that part.
        Assert.True(CliHarness.Run("export-onnx", "--model", PathOf("m.zip"), "--out", PathOf("signed"), "--signing-key", signing).ExitCode == 0);
        var privateTrusted = Recommend("signed", "x.tsv", "--trusted-key", signing);
        Assert.True(privateTrusted.ExitCode == 0, privateTrusted.Error);
        Assert.Contains("warning: --trusted-key:", privateTrusted.Error, StringComparison.Ordinal);
        Assert.Contains("holds the private key too", privateTrusted.Error, StringComparison.Ordinal);
    }
}
