using System.Globalization;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The user rows of a serving directory that hold no user. The graphs index users by key, so a user key type wider than the
/// users with training edges (MapValueToKey fitted on a larger vocabulary) gives those keys zero rows in every table: a list
/// of such a row would rank the catalogue by a zero vector (or by no interest) and mean nothing. A model's export
/// (<see cref="MultiInterestModel.ExportOnnx"/>) lists the users it serves in <see cref="MultiInterestModel.UserIdsFileName"/>,
/// leaving such rows out; the scorers read it and refuse a call naming one. A directory without the file (the tables' own
/// export, <see cref="OnnxServingDirectory"/>, where every row is a user) refuses none.
/// </summary>
internal static class UserAbsence
{
    /// <summary>The first line of the user id file (MultiInterestModel.WriteIds).</summary>
    private const string Header = "row\tuser";

    /// <summary>
    /// The user rows of <paramref name="directory"/> (0 to <paramref name="manifest"/>'s users - 1) that its user id file does not
    /// list, ascending; empty when it lists every row or the directory has no such file.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a header and then ascending rows of the export, each before a TAB.</exception>
    public static int[] Read(string directory, OnnxServingManifest manifest)
    {
        string path = Path.Combine(directory, MultiInterestModel.UserIdsFileName);
        if (!File.Exists(path)) return [];
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
        return [.. Enumerable.Range(0, listed.Length).Where(r => !listed[r])];
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
