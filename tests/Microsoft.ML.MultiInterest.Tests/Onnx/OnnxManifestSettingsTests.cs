using System.Text.Json.Nodes;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// Regression (a service probe): a serving directory whose manifest had a retrieval setting edited out of range (alpha -1,
/// head_share 2, mmr_lambda 7, pool_size int.MaxValue...) or a component count its graphs do not take opened without a
/// word, and then every request failed: with an engine ArgumentOutOfRangeException naming an option the caller never
/// passed ('Alpha', 'lambda'), an OverflowException, ONNX Runtime's "invalid dimensions" or "Destination is too short".
/// Opening now refuses such a directory with an <see cref="InvalidDataException"/> naming the manifest and the field.
/// </summary>
public sealed class OnnxManifestSettingsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"onnx-settings-{Guid.NewGuid():N}");

    public OnnxManifestSettingsTests()
    {
        var w = MixtureWorld.Create(seed: 5, dimension: 3, integers: true);
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 6, 1.0, _directory);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private string ManifestPath => Path.Combine(_directory, OnnxServingDirectory.ManifestFileName);

    private void Edit(string field, JsonNode value)
    {
        var json = JsonNode.Parse(File.ReadAllText(ManifestPath))!.AsObject();
        json[field] = value;
        File.WriteAllText(ManifestPath, json.ToJsonString());
        ServingChecksums.Reseal(Path.GetDirectoryName(ManifestPath)!); // damaged on purpose, to reach the check behind the checksums
    }

    [Theory]
    [InlineData("alpha", -1.0)]
    [InlineData("beta", -0.5)]
    [InlineData("head_share", 2.0)]
    [InlineData("head_share", -0.1)]
    [InlineData("mmr_lambda", 7.0)]
    [InlineData("mmr_lambda", -1.0)]
    [InlineData("interest_weight", -1.0)]
    public void ASettingOutOfRangeIsRefusedAtOpenNamingTheManifestAndField(string field, double value)
    {
        Edit(field, value);
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(_directory).Dispose());
        Assert.Contains(ManifestPath, e.Message);
        Assert.Contains($"{field} ", e.Message);
        Assert.Contains("Export the directory again", e.Message);
    }

    [Fact]
    public void APoolSizePastTheListLimitIsRefusedAtRead()
    {
        var json = JsonNode.Parse(File.ReadAllText(ManifestPath))!.AsObject();
        json["retrieval"] = OnnxServingManifest.MmrRetrieval;
        json["pool_size"] = int.MaxValue;
        File.WriteAllText(ManifestPath, json.ToJsonString());
        ServingChecksums.Reseal(Path.GetDirectoryName(ManifestPath)!); // damaged on purpose, to reach the check behind the checksums
        var e = Assert.Throws<InvalidDataException>(() => OnnxServingManifest.Read(_directory));
        Assert.Contains("pool_size 2147483647", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void AComponentCountTheGraphsDoNotTakeIsRefusedAtOpen(int delta)
    {
        int components = OnnxServingManifest.Read(_directory).Components;
        int edited = delta == int.MaxValue ? int.MaxValue : components + delta;
        Assert.True(edited >= 1);
        Edit("components", edited);
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(_directory).Dispose());
        Assert.Contains(Path.Combine(_directory, "quota_scorer.onnx"), e.Message);
        Assert.Contains($"components {edited}", e.Message);
    }

    [Fact]
    public void TheUneditedDirectoryStillOpensAndServes()
    {
        using var scorer = OnnxCandidateScorer.Open(_directory);
        Assert.Equal(3, scorer.RetrieveClusterQuota([0, 1, 2]).QueryCount);
    }
}
