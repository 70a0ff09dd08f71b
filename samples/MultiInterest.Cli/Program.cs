using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli;

// The defaults shown are the library's own (the *Defaults classes), so the text cannot drift from the code.
string Usage = string.Create(CultureInfo.InvariantCulture, $"""
Usage:
  multiinterest reproduce [--out DIR] [--export] [--data DIR] [options]
      The kNN-Embed comparison on the embedded cit-HepPh split (d={GraphEmbeddingDefaults.Dimension}, {GraphEmbeddingDefaults.Epochs} epochs, {SphericalKMeansDefaults.NumberOfClusters} clusters, m={KnnSmoothedMixtureDefaults.Components}, lambda={KnnSmoothedMixtureDefaults.Lambda}).
  multiinterest evaluate --train FILE --test FILE [--out DIR] [--export] [options]
      The same on any user<TAB>item TSV pair (header line, raw ids; .gz allowed).
      --user-embeddings FILE --item-embeddings FILE [--item-clusters FILE]   use given embeddings (and clusters)
      --unseen miss|drop ({Lower(EvaluationDefaults.Unseen)})   test edges of users/items unseen in training: misses, or left out
  multiinterest split --edges FILE --train FILE --test FILE [--seed N]
      The protocol's per-user 20% hold-out of an edge file.
  multiinterest fit --train FILE --model model.zip [--candidates M ({ClusterQuotaRetrieverDefaults.Candidates})] [options]
      Fits the kNN-Embed pipeline (ML.NET estimators) and saves it with mlContext.Model.Save.
  multiinterest recommend --model model.zip --users FILE --out candidates.tsv [--engine | --onnx [--onnx-dir DIR] | --recommender] [--history FILE]
      Candidates for the users in FILE's first column (header line; an edge file works). Default: the loaded
      zip's lists. --engine / --onnx score with the engine / ONNX Runtime instead. Every scorer excludes the
      training history stored in the model; --history FILE excludes those edges too. --recommender serves
      through MultiInterestRecommender.Recommend (--history = each user's fresh history). [--gpu ID] [--batch N]
  multiinterest export-onnx --model model.zip --out DIR
      Writes encoder.onnx, quota_scorer.onnx, unimodal_scorer.onnx, manifest.json and the row -> id files.
{SweepCommand.Usage}Options:
{EmbeddingFlags.Usage}{MixtureRows.Usage}{DcmFlags.Usage}{DivideConquerFlags.Usage}  --clusters N ({SphericalKMeansDefaults.NumberOfClusters}) --iterations N ({SphericalKMeansDefaults.MaxIterations}) --components N ({KnnSmoothedMixtureDefaults.Components})
  --neighbors N ({KnnSmoothedMixtureDefaults.Neighbors}) --lambda X ({KnnSmoothedMixtureDefaults.Lambda}) --alpha X ({ClusterQuotaRetrieverDefaults.Alpha}) --seed N ({GraphEmbeddingDefaults.Seed}) --threads N (0 = all cores)
  --neighbor-index exact|clustered ({Lower(KnnSmoothedMixtureDefaults.NeighborIndex)}) --neighbor-lists N ({ClusteredNeighborIndexDefaults.Lists} = about 4 sqrt(users)) --neighbor-probes N ({ClusteredNeighborIndexDefaults.Probes})
      how kNN smoothing finds each user's neighbours: brute force, or an inverted-file index scanning a few lists
{TunedRowFlags.Usage}
""");

try
{
    if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
    {
        Console.WriteLine(Usage);
        return args.Length == 0 ? 2 : 0;
    }
    var flags = new HashSet<string> { "export", "engine", "onnx", "recommender", "auto-sgd", "frontier", "mixture-embeddings", "mix-two-sided", "measure-refit", "dcm", "dcm-learn-tau", "learned-quotas" };
    flags.UnionWith(DivideConquerFlags.Switches);
    var cl = new CommandLine(args.Skip(1), flags);
    switch (args[0])
    {
        case "reproduce":
        {
            string data = cl.String("data") ?? DataLocator.FindCitHepPh();
            var settings = ExperimentSettings.FromCommandLine(cl, "cit-HepPh", Path.Combine(data, "train.tsv.gz"), Path.Combine(data, "test.tsv.gz"), showPaper: true);
            cl.RejectUnknown();
            return ExperimentRunner.Run(settings, Console.Out);
        }
        case "evaluate":
        {
            string train = cl.RequiredString("train"), test = cl.RequiredString("test");
            var settings = ExperimentSettings.FromCommandLine(cl, Path.GetFileName(train), train, test, showPaper: false);
            cl.RejectUnknown();
            return ExperimentRunner.Run(settings, Console.Out);
        }
        case "split":
            return SplitCommand.Run(cl, Console.Out);
        case "fit":
            return FitCommand.Run(cl, Console.Out);
        case "recommend":
            return RecommendCommand.Run(cl, Console.Out);
        case "export-onnx":
            return ExportOnnxCommand.Run(cl, Console.Out);
        case "sweep":
            return SweepCommand.Run(cl, Console.Out);
        default:
            throw new UsageException($"Unknown command '{args[0]}'.");
    }
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}
catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or KeyNotFoundException or DirectoryNotFoundException
    or InvalidOperationException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static string Lower(Enum value) => value.ToString().ToLowerInvariant();
