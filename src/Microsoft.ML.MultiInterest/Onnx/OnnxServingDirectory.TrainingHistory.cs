using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

public static partial class OnnxServingDirectory
{
    /// <summary>
    /// The training history a model's export wrote beside its graphs (<see cref="MultiInterestModel.TrainingHistoryFileName"/>),
    /// as the exclusions every ONNX scorer's calls take: the items each user engaged in training, which the recommender, the
    /// engine and <c>recommend --onnx</c> leave out by default. The scorers exclude exactly what they are given, so a service
    /// that serves from the directory alone, without the model's zip, passes this (or its union with fresh history) to get the
    /// recommender's lists instead of lists holding items the user has seen.
    /// </summary>
    /// <remarks>
    /// The directory is verified as a scorer's opening verifies it (the signature, when <paramref name="sessions"/> trusts a key,
    /// and the manifest's seal), then this one file is read once, hashed against the SHA-256 the manifest records for it, and
    /// parsed from those bytes; the graphs are neither read nor hashed. The same as
    /// <see cref="MultiInterestModel.TrainingHistory"/> of the model exported, row for row.
    /// </remarks>
    /// <param name="directory">A model's serving directory (<c>MultiInterestModel.ExportOnnx</c>, <c>export-onnx</c>).</param>
    /// <param name="sessions">The factory whose trusted key, if any, the directory must be signed with; null trusts none.</param>
    /// <returns>A graph of the manifest's user rows by its item rows.</returns>
    /// <exception cref="FileNotFoundException">The directory holds no training history: it was exported from tables (an engine export) or from a model saved without it.</exception>
    /// <exception cref="InvalidDataException">The directory fails its verification, or the file is not a training history of its rows.</exception>
    public static BipartiteGraph ReadTrainingHistory(string directory, OnnxSessionFactory? sessions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string path = Path.Combine(directory, MultiInterestModel.TrainingHistoryFileName);
        return OnnxDirectoryOpening.Consistent(directory, () =>
        {
            var manifest = OnnxVerifiedOpening.Manifest(directory);
            // A manifest with checksums records the file wherever the export wrote one: a file it does not record was added
            // since, covered by no checksum or signature, and is not read.
            bool recorded = manifest.FileSha256 is not { } sha256 || sha256.ContainsKey(MultiInterestModel.TrainingHistoryFileName);
            if (!recorded || !OnnxVerifiedOpening.Exists(path))
                throw new FileNotFoundException($"The ONNX serving directory '{directory}' holds no {MultiInterestModel.TrainingHistoryFileName}: it was exported "
                    + "from tables, not a model (OnnxServingDirectory.Export...), or from a model saved without its training history (a file there that its manifest "
                    + "does not record was added since, and is not read). Pass the items to exclude yourself "
                    + "(MultiInterestModel.TrainingHistory() of the model exported).", path);
            return Parse(path, OnnxVerifiedOpening.ReadAllBytes(path), manifest.Users, manifest.Items);
        }, sessions, manifestOnly: true);
    }

    /// <summary>Parses <c>user_row&lt;TAB&gt;item_row</c> lines after their header, refusing by line any that is not an edge of the directory's rows.</summary>
    private static BipartiteGraph Parse(string path, byte[] bytes, int users, int items)
    {
        const string Header = "user_row\titem_row";
        var userRows = new List<int>();
        var itemRows = new List<int>();
        using var reader = new StreamReader(new MemoryStream(bytes, writable: false));
        if (reader.ReadLine() != Header)
            throw new InvalidDataException($"'{path}' does not start with the header '{Header.Replace("\t", "<TAB>", StringComparison.Ordinal)}': it is not a training history an export wrote.");
        int line = 1;
        for (string? text; (text = reader.ReadLine()) != null;)
        {
            line++;
            int tab = text.IndexOf('\t', StringComparison.Ordinal);
            if (tab < 0 || !int.TryParse(text.AsSpan(0, tab), NumberStyles.None, CultureInfo.InvariantCulture, out int user)
                || !int.TryParse(text.AsSpan(tab + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int item))
                throw new InvalidDataException($"Line {line} of '{path}' is not 'user_row<TAB>item_row' (two row numbers): '{text}'. The file was edited or damaged; export the directory again.");
            if (user >= users || item >= items)
                throw new InvalidDataException($"Line {line} of '{path}' names user row {user} and item row {item}, but the directory's graphs have {users} users and {items} items. "
                    + "The file was edited or belongs to another export; export the directory again.");
            userRows.Add(user);
            itemRows.Add(item);
        }
        return BipartiteGraph.FromEdges(users, items, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(userRows), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(itemRows));
    }
}
