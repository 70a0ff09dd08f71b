using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>Writes the fitted artefacts as the TSV files the README documents.</summary>
internal static class ArtifactExporter
{
    /// <summary>Writes the vectors, clusters, mixtures and candidate lists into <paramref name="directory"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Export(string directory, IdMap users, IdMap items, EmbeddingMatrix userEmbeddings, EmbeddingMatrix itemEmbeddings,
        ItemClustering clustering, ProtocolResult result, ItemClustering? tunedClustering = null)
    {
        // Every file below holds user or item ids: refused up front, named by the first file each would break.
        WritableIds.Require(Path.Combine(directory, "user_embeddings.tsv"), "user id", users);
        WritableIds.Require(Path.Combine(directory, "item_embeddings.tsv"), "item id", items);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        // Each file replaced whole: a cut run leaves the earlier file, never a shorter one that reads as complete.
        void Write(string name, Action<string> write)
        {
            string path = Path.Combine(directory, name);
            OutputFile.WriteReplacing(path, write);
            written.Add(path);
        }
        Write("user_embeddings.tsv", path => EmbeddingFile.Write(path, users, userEmbeddings));
        Write("item_embeddings.tsv", path => EmbeddingFile.Write(path, items, itemEmbeddings));
        Write("item_clusters.tsv", path => ClusterFile.Write(path, items, clustering.Assignments));
        // The tuned row's mixtures refer to its own clusters when it has them.
        if (tunedClustering != null) Write("item_clusters_tuned.tsv", path => ClusterFile.Write(path, items, tunedClustering.Assignments));
        Write("mixtures.tsv", path => WriteMixtures(path, users, result));
        Write("candidates.tsv", path => CandidatesFile.Write(path, users, items, result));
        return written;
    }

    /// <summary>
    /// Writes <c>history_mmr_selection_users.tsv</c>: the history row's lambda choice user by user (<see cref="HistoryMmrLambdaChoice.PerUser"/>),
    /// one line per validation user, <c>user</c> then <c>NAME_recall_at_50</c>, <c>NAME_diversity_at_10</c> and <c>NAME_diversity_at_50</c> per candidate.
    /// </summary>
    /// <returns>The file written.</returns>
    public static string ExportSelection(string directory, IdMap users, HistoryMmrSelectionUsers selection)
    {
        string path = Path.Combine(directory, SelectionFile);
        WritableIds.Require(path, "user id", users);
        Directory.CreateDirectory(directory);
        OutputFile.WriteReplacing(path, partial => WriteSelection(partial, users, selection));
        return path;
    }

    private static void WriteSelection(string path, IdMap users, HistoryMmrSelectionUsers selection)
    {
        using var writer = new StreamWriter(path) { NewLine = "\n" };
        writer.WriteLine("user\t" + string.Join('\t', selection.Candidates.SelectMany(c => new[] { $"{c.Name}_recall_at_50", $"{c.Name}_diversity_at_10", $"{c.Name}_diversity_at_50" })));
        var line = new System.Text.StringBuilder();
        for (int q = 0; q < selection.Users.Count; q++)
        {
            line.Clear().Append(users[selection.Users[q]]);
            foreach (var c in selection.Candidates)
                line.Append('\t').Append(c.Recall[q].ToString("R", CultureInfo.InvariantCulture)).Append('\t').Append(c.Diversity[q].ToString("R", CultureInfo.InvariantCulture))
                    .Append('\t').Append(c.SetDiversity[q].ToString("R", CultureInfo.InvariantCulture));
            writer.WriteLine(line);
        }
    }

    /// <summary>The name of the file <see cref="ExportSelection"/> writes.</summary>
    public const string SelectionFile = "history_mmr_selection_users.tsv";

    /// <summary>Every file an export may write, for the check that no input is among them.</summary>
    public static readonly string[] FileNames = ["user_embeddings.tsv", "item_embeddings.tsv", "item_clusters.tsv", "item_clusters_tuned.tsv", "mixtures.tsv",
        "candidates.tsv", SelectionFile];

    private static void WriteMixtures(string path, IdMap users, ProtocolResult result)
    {
        using var writer = new StreamWriter(path) { NewLine = "\n" };
        writer.WriteLine("user\tmethod\tcomponent\tcluster\tweight");
        foreach (var method in result.Methods.Where(m => m.Mixtures != null))
        {
            foreach (int user in result.TestUsers)
            {
                var clusters = method.Mixtures!.Clusters(user);
                var weights = method.Mixtures.Weights(user);
                for (int j = 0; j < clusters.Length; j++)
                    writer.WriteLine($"{users[user]}\t{method.Name}\t{j}\t{clusters[j]}\t{weights[j].ToString("R", CultureInfo.InvariantCulture)}");
            }
        }
    }

    /// <summary>
    /// Writes a learned-vector model: <c>{name}_user_components.tsv</c> (<c>user component weight v0 v1 ...</c>) and
    /// <c>{name}_item_components.tsv</c> (<c>item component v0 v1 ...</c>).
    /// </summary>
    /// <returns>The two files written.</returns>
    public static IReadOnlyList<string> ExportComponents(string directory, string name, IdMap users, IdMap items, MixtureEmbeddingResult model)
    {
        string[] paths = [Path.Combine(directory, $"{name}_user_components.tsv"), Path.Combine(directory, $"{name}_item_components.tsv")];
        WritableIds.Require(paths[0], "user id", users);
        WritableIds.Require(paths[1], "item id", items);
        Directory.CreateDirectory(directory);
        OutputFile.WriteReplacing(paths[0], path => WriteUserComponents(path, users, model));
        OutputFile.WriteReplacing(paths[1], path => WriteItemComponents(path, items, model));
        return paths;
    }

    private static void WriteUserComponents(string path, IdMap users, MixtureEmbeddingResult model)
    {
        using (var writer = new StreamWriter(path) { NewLine = "\n" })
        {
            writer.WriteLine("user\tcomponent\tweight\t" + string.Join('\t', Enumerable.Range(0, model.Dimension).Select(k => $"v{k}")));
            for (int u = 0; u < model.UserCount; u++)
                for (int c = 0; c < model.SourceComponents; c++)
                    writer.WriteLine($"{users[u]}\t{c}\t{model.WeightsOfUser(u)[c].ToString("R", CultureInfo.InvariantCulture)}\t{Vector(model.UserComponents.ReadRow(u * model.SourceComponents + c))}");
        }
    }

    private static void WriteItemComponents(string path, IdMap items, MixtureEmbeddingResult model)
    {
        using (var writer = new StreamWriter(path) { NewLine = "\n" })
        {
            writer.WriteLine("item\tcomponent\t" + string.Join('\t', Enumerable.Range(0, model.Dimension).Select(k => $"v{k}")));
            for (int i = 0; i < model.ItemCount; i++)
                for (int l = 0; l < model.DestinationComponents; l++)
                    writer.WriteLine($"{items[i]}\t{l}\t{Vector(model.ItemComponents.ReadRow(i * model.DestinationComponents + l))}");
        }
    }

    private static string Vector(ReadOnlySpan<float> row)
    {
        var parts = new string[row.Length];
        for (int k = 0; k < row.Length; k++) parts[k] = row[k].ToString("R", CultureInfo.InvariantCulture);
        return string.Join('\t', parts);
    }
}
