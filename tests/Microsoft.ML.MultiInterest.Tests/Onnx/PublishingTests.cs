using System.Text.Json;
using System.Xml.Linq;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.Docs;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// What published applications need of the library and the CLI (found by a publishing walkthrough: trimmed, single-file
/// and self-contained builds of the CLI and of a consumer app).
/// </summary>
public sealed class PublishingTests
{
    /// <summary>The snake_case, indented options the manifest was written with by reflection before its contract was generated.</summary>
    private static readonly JsonSerializerOptions ReflectionOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    private static OnnxServingManifest Populated() => new()
    {
        Candidates = 50,
        Alpha = 0.5,
        Retrieval = OnnxServingManifest.HistoryMmrRetrieval,
        Sources = [new OnnxFusionSource { Directory = "source0", Weight = 0.6, Method = "history_mmr", Candidates = 50 }],
        PoolSize = 100,
        HistoryOptions = new HistoryInterestOptions { MaxInterests = 6, Regularization = 0.01, MatchUserVectors = true },
        MmrLambda = 0.75,
        InterestWeight = 0.5,
        UnimodalPool = true,
        PoolLists = new OnnxServingGraph { File = "pool_lists.onnx", Inputs = ["a"], Outputs = ["b", "c"] },
        PoolListCount = 8,
        PoolProbes = 2,
        PoolUserProbes = 1,
        PoolHistoryLists = true,
        PoolScorer = new OnnxServingGraph { File = "pool_scorer.onnx", Inputs = ["x"], Outputs = ["y"] },
        HeadShare = 0.2,
        HeadSlots = 10,
        Query = "blend",
        Beta = 0.3,
        Users = 7,
        Items = 9,
        Clusters = 3,
        LargestCluster = 4,
        Components = 5,
        Dimension = 16,
        CandidateSlack = 2,
        ExclusionMask = true,
        ConditionModel = new OnnxServingGraph { File = "conditions.onnx" },
        ImplicitShare = 0.4,
        ConditionNames = ["t1", "t2"],
        MaxConditions = 3,
        VectorScorer = new OnnxServingGraph { File = "vector_scorer.onnx" },
        RoundRobinScorer = new OnnxServingGraph { File = "round_robin_scorer.onnx" },
        HistoryEncoder = new OnnxServingGraph { File = "history_encoder.onnx" },
        HistoryMean = true,
        DestinationComponents = 2,
    };

    /// <summary>
    /// Regression: a trimmed application (PublishTrimmed turns reflection-based System.Text.Json off) failed every ONNX export
    /// and serving directory with "Reflection-based serialization has been disabled for this application", thrown from the
    /// manifest's type initializer. Its contract is now generated at compile time; the file it writes is the one the
    /// reflection-based serializer wrote, byte for byte, and reads back the same.
    /// </summary>
    [Fact]
    public void TheManifestsGeneratedContract_WritesAndReadsWhatReflectionDid()
    {
        foreach (var manifest in new[] { new OnnxServingManifest(), Populated() })
        {
            string generated = JsonSerializer.Serialize(manifest, OnnxServingManifestJson.Default.OnnxServingManifest);
#pragma warning disable IL2026, IL3050 // The reference: the reflection-based serializer the manifest used before.
            string reflected = JsonSerializer.Serialize(manifest, ReflectionOptions);
#pragma warning restore IL2026, IL3050
            Assert.Equal(reflected, generated);
            var back = JsonSerializer.Deserialize(generated, OnnxServingManifestJson.Default.OnnxServingManifest)!;
            Assert.Equal(generated, JsonSerializer.Serialize(back, OnnxServingManifestJson.Default.OnnxServingManifest));
        }

        // Through the files: Write, then Read with its checks.
        using var directory = new TempFolder();
        var written = new OnnxServingManifest { Candidates = 5, Users = 3, Items = 4, Components = 2, Dimension = 8 };
        written.Write(directory.Path);
        var read = OnnxServingManifest.Read(directory.Path);
        Assert.Equal(LibraryVersion.Current, read.LibraryVersion);
        Assert.Equal(5, read.Candidates);
        Assert.Equal(8, read.Dimension);
    }

    /// <summary>
    /// Regression: the CLI references the CUDA ONNX Runtime with PrivateAssets="all" (the tests keep the CPU one), and the SDK
    /// leaves such a package out of `dotnet publish`: every published CLI (framework-dependent, self-contained, single-file)
    /// lacked libonnxruntime.so, so `fit` failed at its save asking for an ONNX Runtime package it references.
    /// </summary>
    [Fact]
    public void TheClisOnnxRuntime_IsPublished()
    {
        var project = XDocument.Load(Path.Combine(DocSnippets.RepositoryRoot(), "samples", "MultiInterest.Cli", "MultiInterest.Cli.csproj"));
        var reference = Assert.Single(project.Descendants("PackageReference"), r => (string?)r.Attribute("Include") == "Microsoft.ML.OnnxRuntime.Gpu");
        if (string.Equals((string?)reference.Attribute("PrivateAssets"), "all", StringComparison.OrdinalIgnoreCase))
            Assert.Equal("true", (string?)reference.Attribute("Publish"), ignoreCase: true);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("manifest-json-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
