using System.Security.Cryptography;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// The ONNX scorers exclude exactly the items they are given, so a service that serves from a directory alone needs the
/// training history its export wrote (<see cref="OnnxServingDirectory.ReadTrainingHistory"/>): the model's own, read from
/// verified bytes, which gives the recommender's lists instead of lists holding items the user has already seen.
/// </summary>
public sealed class OnnxTrainingHistoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-training-history-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("quota")]
    [InlineData("history-mmr")]
    public void TheDirectorysHistory_IsTheModels_AndKeepsSeenItemsOutOfTheLists(string kind)
    {
        var (model, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, kind);
        BipartiteGraph saved;
        using (model) saved = model.TrainingHistory();

        var read = OnnxServingDirectory.ReadTrainingHistory(onnx);
        Assert.Equal(saved.UserCount, read.UserCount);
        Assert.Equal(saved.ItemCount, read.ItemCount);
        Assert.True(saved.EdgeCount > 0);
        for (int u = 0; u < saved.UserCount; u++) Assert.Equal(saved.ItemsOf(u).ToArray(), read.ItemsOf(u).ToArray());

        int[] users = [.. Enumerable.Range(0, 6)];
        var (trained, _, scorer) = ExcludeItemsModels.Open(kind, onnx, batch: 4);
        using (scorer)
        {
            var unexcluded = trained(users, null, null);
            var excluded = trained(users, read, null);
            // Without the history some list holds a training item (what the page's snippet served before); with it none does.
            Assert.Contains(users, q => unexcluded.IndicesOf(q).ToArray().Intersect(saved.ItemsOf(users[q]).ToArray()).Any());
            Assert.All(Enumerable.Range(0, users.Length), q => Assert.Empty(excluded.IndicesOf(q).ToArray().Intersect(saved.ItemsOf(users[q]).ToArray())));
            var withSaved = trained(users, saved, null);
            Assert.All(Enumerable.Range(0, users.Length), q => Assert.Equal(withSaved.IndicesOf(q).ToArray(), excluded.IndicesOf(q).ToArray()));
        }
    }

    [Fact]
    public void AnEditedHistory_IsRefusedByName_AndADirectoryWithoutOne_SaysWhatToPass()
    {
        var (model, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "unimodal");
        model.Dispose();
        string path = Path.Combine(onnx, MultiInterestModel.TrainingHistoryFileName);
        var lines = File.ReadAllLines(path);
        File.WriteAllLines(path, lines[..^1]);   // one training edge removed: the user would be served that item
        var changed = Assert.Throws<InvalidDataException>(() => OnnxServingDirectory.ReadTrainingHistory(onnx));
        Assert.Contains(MultiInterestModel.TrainingHistoryFileName, changed.Message, StringComparison.Ordinal);
        Assert.Contains("does not match the SHA-256", changed.Message, StringComparison.Ordinal);

        // An engine export (tables, no model) writes none; one written there later is recorded by no checksum and not read.
        var w = MixtureWorld.Create(seed: 3);
        string engine = Path.Combine(_directory, "engine");
        OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, 5, engine, exclusionMask: true);
        var none = Assert.Throws<FileNotFoundException>(() => OnnxServingDirectory.ReadTrainingHistory(engine));
        Assert.Contains("holds no training_history.tsv", none.Message, StringComparison.Ordinal);
        Assert.Contains("MultiInterestModel.TrainingHistory()", none.Message, StringComparison.Ordinal);
        File.WriteAllLines(Path.Combine(engine, MultiInterestModel.TrainingHistoryFileName), ["user_row\titem_row", "0\t1"]);
        Assert.Throws<FileNotFoundException>(() => OnnxServingDirectory.ReadTrainingHistory(engine));
    }

    [Fact]
    public void ATrustedKey_RefusesAnUnsignedDirectory_AndReadsASignedOne()
    {
        var (model, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "unimodal");
        BipartiteGraph saved;
        using (model) saved = model.TrainingHistory();
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var trusted = ECDsa.Create();
        trusted.ImportFromPem(signer.ExportSubjectPublicKeyInfoPem());
        var sessions = new OnnxSessionFactory { TrustedSigningKey = trusted };
        var unsigned = Assert.Throws<InvalidDataException>(() => OnnxServingDirectory.ReadTrainingHistory(onnx, sessions));
        Assert.Contains("is not signed", unsigned.Message, StringComparison.Ordinal);
        OnnxDirectorySignature.Sign(onnx, signer);
        Assert.Equal(saved.EdgeCount, OnnxServingDirectory.ReadTrainingHistory(onnx, sessions).EdgeCount);
    }
}
