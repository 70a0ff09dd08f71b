using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Onnx;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary><c>export-onnx</c>: the ONNX serving graphs of a saved model, runnable by ONNX Runtime without this library.</summary>
internal static class ExportOnnxCommand
{
    public static Command Create(CliConsole console)
    {
        var model = Opt.InputFile("--model", "The model zip (fit or sweep).", "model.zip", required: true);
        var output = Opt.Path("--out", "Directory for encoder.onnx, quota_scorer.onnx, unimodal_scorer.onnx (a model without clusters: unimodal_scorer.onnx and vector_scorer.onnx; "
            + "conditional: conditions.onnx too, and merged with a mixture explicit/ and implicit/; MMR: pool/, and interests.onnx for multi-interest MMR; round robin: round_robin_scorer.onnx, and for DCM history_encoder.onnx; "
            + "history-interest MMR: pool_scorer.onnx; a fusing model: one such directory per source, source0, source1, ...), manifest.json, the row -> id files, training_history.tsv (the items each list excludes) and popular_items.tsv (the fallback of users the graphs do not serve).", "DIR", required: true);
        var signingKey = Opt.InputFile("--signing-key", "A PEM file with an EC private key (openssl ecparam -name prime256v1 -genkey -noout -out signing.pem): "
            + "sign the exported directory (manifest.json.sig, in it and in each part), so that a service trusting the public key (recommend --trusted-key, "
            + "OnnxSessionFactory.TrustedSigningKey) serves it only as exported.", "KEY.pem");
        var externalData = Opt.Flag("--external-data", "Keep every graph's large tables (1 KiB and over) in a side file beside it, <graph>.onnx.data (ONNX external data), "
            + "whatever its size. Without it a graph is written whole unless it would pass the 2 GB limit of one protobuf message; then its tables go to the side file anyway. "
            + "Serve such a directory by its path, copied whole: the manifest's checksums cover the side files.");
        var command = new Command("export-onnx", "Writes the ONNX serving graphs of a saved model and the files that map rows to ids.") { model, output, signingKey, externalData };
        command.SetAction(r =>
        {
            Opt.CheckInputFiles(r);
            // Checked before the model loads, as the other commands check theirs: bad usage (2), not a failure at run time.
            OutputFile.CheckWritableDirectory(r.Value(output)!, "--out");
            // Read before the export, so that a key that cannot sign fails before any file is written.
            using var key = r.Value(signingKey) is { } keyPath ? SigningKeyFile.ReadPrivate(keyPath, "--signing-key") : null;
            return Run(r.Value(model)!, r.Value(output)!, key, console.Out, r.GetValue(externalData) ? OnnxExternalData.Always : OnnxExternalData.Automatic);
        });
        return command;
    }

    private static int Run(string modelPath, string outDirectory, System.Security.Cryptography.ECDsa? signingKey, TextWriter log, OnnxExternalData externalData)
    {
        using var model = MultiInterestModel.Load(new MLContext(seed: 1), modelPath);
        // The files this run writes are the ones listed (new, or rewritten since the listing before the export): the export
        // removes the files an earlier export's verified manifest recorded and this one does not write; any other stays.
        var root = new DirectoryInfo(outDirectory);
        var before = root.Exists ? root.GetFiles("*", SearchOption.AllDirectories).ToDictionary(f => f.FullName, f => f.LastWriteTimeUtc) : [];
        var manifest = model.ExportOnnx(outDirectory, externalData: externalData);
        if (signingKey != null) OnnxDirectorySignature.Sign(outDirectory, signingKey);
        log.WriteLine($"Exported {Describe(manifest, outDirectory)}, M={manifest.Candidates}, {manifest.Users:N0} users, {manifest.Items:N0} items to {outDirectory}:");
        root.Refresh();
        var files = root.GetFiles("*", SearchOption.AllDirectories).OrderBy(f => f.FullName, StringComparer.Ordinal).ToList();
        bool Written(FileInfo f) => !before.TryGetValue(f.FullName, out var time) || f.LastWriteTimeUtc != time;
        foreach (var file in files.Where(Written))
            log.WriteLine($"  {Path.GetRelativePath(root.FullName, file.FullName),-30} {file.Length / 1e6,8:F1} MB");
        int older = files.Count(f => !Written(f));
        if (older > 0) log.WriteLine($"  ({Counted.Of(older, "other file")} left untouched, which no earlier export's verified manifest recorded (your own, a signature): this model's graphs do not read them)");
        if (signingKey != null) log.WriteLine($"Signed: {OnnxDirectorySignature.FileName} beside each manifest.json (ECDSA over SHA-256, DER); a service trusting the public key verifies it at opening.");
        if (PaddingNote(manifest) is { } note) log.WriteLine(note);
        return 0;
    }

    /// <summary>
    /// The quota scorer scores each component's cluster padded to the largest: a skewed clustering makes every batch gather
    /// many times the vectors even clusters would (about 150 MB per batch of 64 users on Ciao), which a user sizing a server
    /// should hear before serving, not after.
    /// </summary>
    internal static string? PaddingNote(OnnxServingManifest manifest)
    {
        if (manifest.QuotaScorer.File.Length == 0 || manifest.LargestCluster == 0 || manifest.Items == 0) return null;
        double ratio = (double)manifest.Clusters * manifest.LargestCluster / manifest.Items;
        if (ratio < PaddingNoteRatio) return null;
        double batchBytes = (double)OnnxCandidateScorer.DefaultBatchSize * manifest.Components * manifest.LargestCluster * manifest.Dimension * sizeof(float);
        return $"note: the quota scorer pads each of the {manifest.Clusters:N0} clusters to the largest ({manifest.LargestCluster:N0} items, {ratio:F1}x the mean): "
            + $"a batch of {OnnxCandidateScorer.DefaultBatchSize} users gathers {batchBytes / 1e6:F0} MB of item vectors while scoring, {ratio:F1}x what even clusters would. "
            + "A smaller `recommend --batch`, or fewer or more even clusters, shrink it; the zip and `recommend --engine` serve the same lists without it (docs/onnx.md).";
    }

    /// <summary>Padding ratio from which <see cref="PaddingNote"/> speaks: cit-HepPh's 2,000 clusters (5.5x) stay quiet, Ciao's (20x) do not.</summary>
    internal const double PaddingNoteRatio = 10;

    /// <summary>What the directory serves, in the manifest's terms; a fusion's sources each by their own directory's.</summary>
    private static string Describe(OnnxServingManifest manifest, string directory) => manifest.Retrieval switch
    {
        OnnxServingManifest.RankFusionRetrieval => $"a fusion of {string.Join(" and ", manifest.Sources!.Select(s =>
            $"{Describe(OnnxServingManifest.Read(Path.Combine(directory, s.Directory)), Path.Combine(directory, s.Directory))} (weight {s.Weight:R}, M={s.Candidates}, in {s.Directory})"))}",
        OnnxServingManifest.HistoryMmrRetrieval => $"history-interest MMR (pool N={manifest.PoolSize}, lambda={manifest.MmrLambda:R}, nu={manifest.InterestWeight:R}, up to {manifest.Components} interests)",
        OnnxServingManifest.MmrRetrieval => $"MMR over the unimodal top N={manifest.PoolSize} (lambda={manifest.MmrLambda:R}, nu={manifest.InterestWeight:R})",
        OnnxServingManifest.UnimodalRetrieval => "the unimodal scorer alone (a model without item clusters)",
        OnnxServingManifest.ConditionalRetrieval => $"conditional retrieval ({manifest.Clusters:N0} conditions, alpha={manifest.Alpha:R}, head {manifest.HeadSlots} slots)",
        OnnxServingManifest.ConditionalMergedRetrieval => $"conditional retrieval merged with implicit components ({manifest.Clusters:N0} conditions in explicit/, "
            + $"the clusters in implicit/, implicit share {manifest.ImplicitShare:R}, alpha={manifest.Alpha:R}, head {manifest.HeadSlots} slots)",
        _ when manifest.RoundRobinScorer != null => $"round robin ({manifest.Components} components per user{(manifest.HistoryEncoder != null ? ", DCM history encoder" : "")})",
        _ => $"cluster quotas ({manifest.Clusters:N0} clusters, alpha={manifest.Alpha:R}, head {manifest.HeadSlots} slots) and the unimodal scorer",
    };
}
