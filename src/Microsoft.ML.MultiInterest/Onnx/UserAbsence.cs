using System.Globalization;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The user rows of a serving directory that hold no user. The graphs index users by key, so a user key type wider than the
/// users with training edges (MapValueToKey fitted on a larger vocabulary) gives those keys zero rows in every table: a list
/// of such a row would rank the catalogue by a zero vector (or by no interest) and mean nothing. A model's export
/// (<see cref="MultiInterestModel.ExportOnnx"/>) lists the users it serves in <see cref="MultiInterestModel.UserIdsFileName"/>,
/// leaving such rows out, and stamps its manifest (<see cref="OnnxServingManifest.ModelStage"/>); the scorers of a stamped
/// directory read the file and refuse a call naming such a row. An unstamped manifest (the tables' own export,
/// <see cref="OnnxServingDirectory"/>, where every row is a user; a part of a model's directory, whose top directory checks;
/// a model export older than the stamp) refuses none, whatever id file lies beside it.
/// </summary>
internal static class UserAbsence
{
    /// <summary>The first line of the user id file (MultiInterestModel.WriteIds).</summary>
    private const string Header = "row\tuser";

    /// <summary>
    /// The user rows of <paramref name="directory"/> (0 to <paramref name="manifest"/>'s users - 1) that its user id file does not
    /// list, ascending; empty when it lists every row or the manifest is not a model export's (no <see cref="OnnxServingManifest.ModelStage"/>).
    /// </summary>
    /// <param name="directory">The serving directory.</param>
    /// <param name="manifest">Its manifest.</param>
    /// <param name="users">
    /// The directory's user table where the scorer holds it, or null: a row the file leaves out must be zero there (a file cut
    /// at a line end, or another export's, would leave out users with vectors and refuse them).
    /// </param>
    /// <exception cref="FileNotFoundException">A model export's directory has no user id file.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a header and then ascending rows of the export, each before a TAB; or it leaves out a row with a vector.
    /// </exception>
    public static int[] Read(string directory, OnnxServingManifest manifest, Engine.EmbeddingMatrix? users = null)
    {
        // Only a model's export is known to list its users: an id file beside any other manifest may be another export's.
        if (manifest.ModelStage == null) return [];
        string path = Path.Combine(directory, MultiInterestModel.UserIdsFileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The serving directory '{directory}' is a model's export but has no {MultiInterestModel.UserIdsFileName}, which says which user "
                + "rows hold a user: restore it or export the model again.", path);
        var listed = new bool[manifest.Users];
        int previous = -1, lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            if (lineNumber++ == 0)
            {
                // The header: without it the first user's line would be skipped and that user refused as one without edges.
                if (line != Header)
                    throw new InvalidDataException($"Line 1 of '{path}' is not the header '{Header.Replace("\t", "<TAB>", StringComparison.Ordinal)}': the file is damaged "
                        + "or is not an export's user id file; export the model again.");
                continue;
            }
            int tab = line.IndexOf('\t');
            if (tab < 0 || !int.TryParse(line.AsSpan(0, tab), NumberStyles.None, CultureInfo.InvariantCulture, out int row) || row <= previous || row >= manifest.Users)
                throw new InvalidDataException($"Line {lineNumber} of '{path}' is not 'row<TAB>id' with a row above the line before's and below {manifest.Users}, "
                    + "the users of the manifest: the file is damaged or belongs to another export; export the model again.");
            listed[row] = true;
            previous = row;
        }
        // An export lists at least one user (a model has users with edges): an empty or cut file would refuse every user.
        if (previous < 0)
            throw new InvalidDataException($"'{path}' lists no user row: the file is damaged (an export lists every user with training edges); export the model again.");
        int[] absent = [.. Enumerable.Range(0, listed.Length).Where(r => !listed[r])];
        if (users != null)
            foreach (int row in absent)
                if (row < users.Rows && users.ReadRow(row).ContainsAnyExcept(0f))
                    throw new InvalidDataException($"'{path}' leaves out user row {row}, which has a vector in the graphs: the file is cut or belongs to "
                        + "another export; export the model again.");
        return absent;
    }

    /// <summary>Refuses <paramref name="users"/> when one of them is in <paramref name="absentRows"/> (ascending), naming it and its place.</summary>
    /// <exception cref="ArgumentException">A user row holds no user.</exception>
    public static void Refuse(int[] absentRows, IReadOnlyList<int> users)
    {
        if (absentRows.Length == 0) return;
        for (int q = 0; q < users.Count; q++)
        {
            if (Array.BinarySearch(absentRows, users[q]) >= 0)
                throw new ArgumentException($"User row {users[q]} (position {q}) has no vector in the exported model: it is a user key without training edges, "
                    + $"which {MultiInterestModel.UserIdsFileName} leaves out, and a list of it would rank the items by a zero vector. Serve it as a user the "
                    + $"model does not know (the top of {MultiInterestModel.PopularItemsFileName} less its own items, as the recommender does) or by its history.",
                    nameof(users));
        }
    }
}
