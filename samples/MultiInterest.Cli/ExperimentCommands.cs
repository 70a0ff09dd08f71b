using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary><c>reproduce</c> and <c>evaluate</c>: the kNN-Embed comparison on the embedded cit-HepPh split or on any split.</summary>
internal static class ExperimentCommands
{
    /// <summary><c>reproduce [--data DIR] [options]</c>.</summary>
    public static Command Reproduce(CliConsole console)
    {
        var flags = new ExperimentSettings.Flags();
        var data = Opt.Path("--data", "Directory holding the cit-HepPh split (train.tsv.gz, test.tsv.gz).", "DIR", shown: "data/cit-HepPh above the working directory");
        var command = new Command("reproduce",
            $"The kNN-Embed comparison on the embedded cit-HepPh split (the library's defaults: algorithm {EmbeddingFlags.Name(GraphEmbeddingDefaults.Algorithm)}, "
            + $"{SphericalKMeansDefaults.NumberOfClusters} clusters, m={KnnSmoothedMixtureDefaults.Components}, k={KnnSmoothedMixtureDefaults.Neighbors}, "
            + $"lambda={Opt.Text(KnnSmoothedMixtureDefaults.Lambda)}), with the MMR, tuned and history-interest MMR rows (the last's lambda chosen on a validation hold-out); prints the table beside the paper's.")
            .With([data, .. flags.All]);
        command.SetAction(r =>
        {
            string dir = r.Value(data) ?? DataLocator.FindCitHepPh();
            var settings = flags.Read(r, "cit-HepPh", Path.Combine(dir, "train.tsv.gz"), Path.Combine(dir, "test.tsv.gz"), showPaper: true);
            return RunExperiment(console, flags, settings, r);
        });
        return command;
    }

    /// <summary>
    /// Runs the experiment <paramref name="settings"/> describe, once the input files are checked: says a --dim the algorithm
    /// does not read, and a dimension the training file cannot give by --dim rather than the library's option name.
    /// </summary>
    private static int RunExperiment(CliConsole console, ExperimentSettings.Flags flags, ExperimentSettings settings, ParseResult r)
    {
        Opt.CheckInputFiles(r);
        string? unreadDimension = flags.Embedding.UnreadDimension(r);
        return ProgressReporter.Run(console, progress =>
        {
            if (unreadDimension != null) progress.Warnings.WriteLine(unreadDimension);
            try
            {
                return ExperimentRunner.Run(settings, progress);
            }
            catch (ArgumentException e) when (flags.Embedding.ByFlag(e, r) is { } usage)
            {
                throw usage;
            }
        });
    }

    /// <summary><c>evaluate --train FILE --test FILE [options]</c>.</summary>
    public static Command Evaluate(CliConsole console)
    {
        var flags = new ExperimentSettings.Flags();
        var train = Opt.InputFile("--train", "Training edges: user<TAB>item TSV with a header line, raw ids, .gz allowed.", required: true);
        var test = Opt.InputFile("--test", "Held-out edges, same format.", required: true);
        var weights = WeightsOption.Create();
        var name = Opt.Path("--name", "The data's name in the plots' titles and metrics.json's \"dataset\".", "NAME",
            shown: "the training file's name, or its folder's when it is called train (the folder above a folder named data, split or dataset)");
        var command = new Command("evaluate", "The same comparison on any user<TAB>item TSV pair (header line, raw ids; .gz allowed).")
            .With([train, test, weights, name, .. flags.All]);
        command.SetAction(r =>
        {
            string trainPath = r.Value(train)!, testPath = r.Value(test)!;
            string dataset = r.Value(name) is { } given ? Given(given) : DatasetName(trainPath);
            var settings = flags.Read(r, dataset, trainPath, testPath, showPaper: false, r.GetValue(weights));
            return RunExperiment(console, flags, settings, r);
        });
        return command;
    }

    /// <summary>
    /// The name plots and metrics.json give the data: the training file's name, or its folder's when the file is just called
    /// train (data/ciao/train.tsv.gz is "ciao", not "train.tsv.gz"), or the folder above when that one has a generic name
    /// (citeulike/data/train.tsv.gz, as prepare_datasets.py lays it out, is "citeulike").
    /// </summary>
    internal static string DatasetName(string trainPath)
    {
        string file = Path.GetFileName(trainPath);
        if (!file.Split('.')[0].Equals("train", StringComparison.OrdinalIgnoreCase)) return file;
        var folder = new FileInfo(trainPath).Directory;
        while (folder?.Parent != null && GenericFolders.Contains(folder.Name)) folder = folder.Parent;
        return folder is { Name.Length: > 0 } && folder.Parent != null ? folder.Name : file;
    }

    /// <summary>A --name as given, refused when blank: a title and a JSON field of nothing say nothing.</summary>
    private static string Given(string name) => string.IsNullOrWhiteSpace(name)
        ? throw new UsageException("--name is blank: give the data a name, or leave --name out to name it by the training file.")
        : name.Trim();

    /// <summary>Folder names that say where data sits, not which data it is.</summary>
    private static readonly HashSet<string> GenericFolders = new(["data", "split", "splits", "dataset", "datasets"], StringComparer.OrdinalIgnoreCase);
}
