using System.Globalization;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The user rows of a serving directory that hold no user. The graphs index users by key, so a user key type wider than the
/// users with training edges (MapValueToKey fitted on a larger vocabulary) gives those keys zero rows in every table: a list
/// of such a row would rank the catalogue by a zero vector (or by no interest) and mean nothing. A model's export
/// (<see cref="MultiInterestModel.ExportOnnx"/>) lists the users it serves in <see cref="MultiInterestModel.UserIdsFileName"/>,
/// leaving such rows out, and stamps its manifest (<see cref="OnnxServingManifest.ModelStage"/>); the scorers of a stamped
/// directory read the file and refuse a call naming such a row. A part of a stamped directory (a fusion's source, an MMR
/// directory's pool, a merged conditional directory's halves, and their parts in turn), whose own manifest is not stamped, is
/// known by the enclosing manifest naming it, and reads its own id file (a fusion's sources have one; only one its manifest
/// records, so a file added since, which no checksum or signature covers, is not read) or else the enclosing directory's. A part
/// opened on its own reads the enclosing manifest and id file as its opening verifies them (<see cref="OnnxVerifiedOpening.Vouch"/>:
/// the trusted key's signature, the recorded SHA-256). Any other unstamped manifest (the tables' own export, <see cref="OnnxServingDirectory"/>, where every row is a
/// user; a model export older than the stamp) refuses none, whatever id file lies beside it.
/// </summary>
internal static class UserAbsence
{
    /// <summary>The first line of the user id file (MultiInterestModel.WriteIds).</summary>
    private const string Header = "row\tuser";

    /// <summary>
    /// The user rows of <paramref name="directory"/> (0 to <paramref name="manifest"/>'s users - 1) that its user id file does not
    /// list, ascending; empty when it lists every row or the directory is neither a model export's (no
    /// <see cref="OnnxServingManifest.ModelStage"/>) nor a part of one.
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
    public static int[] Read(string directory, OnnxServingManifest manifest, Engine.EmbeddingMatrix? users = null) =>
        Read(directory, manifest, users == null ? null : () => users);

    /// <summary>
    /// As <see cref="Read(string, OnnxServingManifest, Engine.EmbeddingMatrix?)"/>, the user table read by
    /// <paramref name="users"/> only when the file leaves out a row: for a scorer that does not hold it (round robin's sits in
    /// its encoder graph).
    /// </summary>
    public static int[] Read(string directory, OnnxServingManifest manifest, Func<Engine.EmbeddingMatrix>? users)
    {
        if (IdFile(directory, manifest) is not { } path) return [];
        int[] absent = ReadFile(path, manifest.Users);
        if (users != null && absent.Length > 0)
        {
            var table = users();
            RefuseLeftOut(path, absent, row => row < table.Rows && table.ReadRow(row).ContainsAnyExcept(0f) ? "has a vector in the graphs" : null);
        }
        return absent;
    }

    /// <summary>
    /// The user rows a fusion's directory <paramref name="directory"/> leaves out, as <see cref="Read(string, OnnxServingManifest, Engine.EmbeddingMatrix?)"/>,
    /// checked against the id file of its first source <paramref name="source"/>: the export writes both from that source's
    /// embedding, and the source's scorer checked its own against its graphs, so a row the fusion's file leaves out and the
    /// source's lists is one the fusion's file lost (it holds no user table to tell).
    /// </summary>
    /// <exception cref="InvalidDataException">The fusion's file is damaged, or leaves out a row the source's lists.</exception>
    public static int[] ReadFusion(string directory, OnnxServingManifest manifest, string source, OnnxServingManifest sourceManifest)
    {
        if (IdFile(directory, manifest) is not { } path) return [];
        int[] absent = ReadFile(path, manifest.Users);
        if (absent.Length > 0 && IdFile(source, sourceManifest) is { } sourcePath && sourcePath != path)
        {
            int[] sourceAbsent = ReadFile(sourcePath, sourceManifest.Users);
            RefuseLeftOut(path, absent, row => Array.BinarySearch(sourceAbsent, row) < 0 ? $"'{sourcePath}' lists (the export writes the same rows into both)" : null);
        }
        return absent;
    }

    /// <summary>
    /// The user id file that says which rows of <paramref name="directory"/> hold a user: its own when a model's export stamped
    /// the manifest; for a part of such a directory, its own where the export wrote one, else the enclosing directory's; null
    /// for any other directory.
    /// </summary>
    /// <exception cref="FileNotFoundException">A model export's directory has no user id file.</exception>
    private static string? IdFile(string directory, OnnxServingManifest manifest)
    {
        string? own = OwnFile(directory, manifest);
        if (manifest.ModelStage != null)
        {
            return own ?? throw new FileNotFoundException($"The serving directory '{directory}' is a model's export but has no {MultiInterestModel.UserIdsFileName}, "
                + "which says which user rows hold a user: restore it or export the model again.", Path.Combine(directory, MultiInterestModel.UserIdsFileName));
        }
        // Only a model's export is known to list its users: an id file beside any other manifest may be another export's.
        if (Enclosing(directory) is not { } enclosing || !OfModelExport(enclosing.Directory, enclosing.Manifest)) return null;
        // A part's own file where the export wrote one (a fusion's sources), whatever became of the enclosing directory's.
        return own ?? IdFile(enclosing.Directory, enclosing.Manifest);
    }

    /// <summary>
    /// The user id file of <paramref name="directory"/> itself, when there is one its manifest vouches for. A manifest that
    /// records checksums (format 4 on) records the id file wherever the export wrote one; a file it does not record was added
    /// since, is covered by no checksum and no signature, and is not read (a part then reads the enclosing directory's).
    /// </summary>
    private static string? OwnFile(string directory, OnnxServingManifest manifest)
    {
        string own = Path.Combine(directory, MultiInterestModel.UserIdsFileName);
        if (!OnnxVerifiedOpening.Exists(own)) return null;
        return manifest.FileSha256 is { } recorded && !recorded.ContainsKey(MultiInterestModel.UserIdsFileName) ? null : own;
    }

    /// <summary>Whether <paramref name="directory"/> is a model's export (its manifest stamped) or a part of one.</summary>
    private static bool OfModelExport(string directory, OnnxServingManifest manifest) =>
        manifest.ModelStage != null || (Enclosing(directory) is { } enclosing && OfModelExport(enclosing.Directory, enclosing.Manifest));

    /// <summary>
    /// The directory enclosing <paramref name="directory"/> and its manifest, when that manifest names it as a part; else null.
    /// A link to a part (a service's link to a fusion's source) is known by the directory its target lies in.
    /// </summary>
    private static (string Directory, OnnxServingManifest Manifest)? Enclosing(string directory)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        return EnclosingOf(full, full) ?? (LinkTarget(full) is { } target ? EnclosingOf(target, full) : null);
    }

    /// <summary>
    /// The parent of the full path <paramref name="full"/> and its manifest, when that manifest names <paramref name="full"/> as a
    /// part; else null. A manifest there that cannot be read is no export this directory is known to be part of (it may be
    /// another tool's file). <paramref name="opened"/> is the part as it was opened (<paramref name="full"/>, or a link to it).
    /// </summary>
    private static (string Directory, OnnxServingManifest Manifest)? EnclosingOf(string full, string opened)
    {
        string? parent = Path.GetDirectoryName(full);
        if (parent == null) return null;
        var opening = OnnxVerifiedOpening.Current;
        // Opened by this opening already (the part is opened through it): its verified manifest.
        if (opening?.Verified(parent) is { } verified) return Names(verified, parent, full) ? (parent, verified) : null;
        if (!File.Exists(Path.Combine(parent, OnnxServingDirectory.ManifestFileName))) return null;
        OnnxServingManifest manifest;
        byte[]? bytes = null;
        try
        {
            // Read once: the bytes parsed are the bytes whose signature is verified below.
            manifest = OnnxServingManifest.Read(parent, () => bytes = File.ReadAllBytes(Path.Combine(parent, OnnxServingDirectory.ManifestFileName)));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
        if (!Names(manifest, parent, full)) return null;
        // A part opened on its own reads this manifest (and the user id file it records): a trusted key must vouch for it as
        // for every directory opened, and the files read from it are hashed against its record.
        opening?.Vouch(parent, bytes!, manifest);
        // And the part is the one it records: another export's part (each signed) would read this export's id file.
        opening?.RefuseUnrecordedPart(opened, full);
        return (parent, manifest);
    }

    /// <summary>Whether <paramref name="manifest"/>, of the directory <paramref name="parent"/>, names the full path <paramref name="full"/> as a part.</summary>
    private static bool Names(OnnxServingManifest manifest, string parent, string full) =>
        manifest.PartDirectories().Any(part => string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(parent, part))), full, StringComparison.Ordinal));

    /// <summary>The full path the directory <paramref name="full"/> links to, when it is a symbolic link that can be followed; else null.</summary>
    private static string? LinkTarget(string full)
    {
        try
        {
            return new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target ? Path.TrimEndingDirectorySeparator(target.FullName) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The rows of 0 to <paramref name="users"/> - 1 that the user id file <paramref name="path"/> does not list, ascending.</summary>
    /// <exception cref="InvalidDataException">The file is not a header and then ascending rows below <paramref name="users"/>, each before a TAB, at least one.</exception>
    private static int[] ReadFile(string path, int users)
    {
        var listed = new bool[users];
        int previous = -1, lineNumber = 0;
        // The bytes the opening verified when the manifest records the file (OnnxVerifiedOpening), decoded as File.ReadLines decodes.
        using var reader = new StreamReader(OnnxVerifiedOpening.OpenRead(path));
        for (string? line; (line = reader.ReadLine()) != null;)
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
            if (tab < 0 || !int.TryParse(line.AsSpan(0, tab), NumberStyles.None, CultureInfo.InvariantCulture, out int row) || row <= previous || row >= users)
                throw new InvalidDataException($"Line {lineNumber} of '{path}' is not 'row<TAB>id' with a row above the line before's and below {users}, "
                    + "the users of the manifest: the file is damaged or belongs to another export; export the model again.");
            listed[row] = true;
            previous = row;
        }
        // An export lists at least one user (a model has users with edges): an empty or cut file would refuse every user.
        if (previous < 0)
            throw new InvalidDataException($"'{path}' lists no user row: the file is damaged (an export lists every user with training edges); export the model again.");
        return [.. Enumerable.Range(0, listed.Length).Where(r => !listed[r])];
    }

    /// <summary>
    /// Refuses the file <paramref name="path"/> when a row it leaves out (<paramref name="absent"/>) holds a user elsewhere:
    /// <paramref name="heldBecause"/> says why a row does (completing "which ..."), or null when it does not.
    /// </summary>
    private static void RefuseLeftOut(string path, int[] absent, Func<int, string?> heldBecause)
    {
        foreach (int row in absent)
        {
            if (heldBecause(row) is { } why)
                throw new InvalidDataException($"'{path}' leaves out user row {row}, which {why}: the file is cut or belongs to another export; export the model again.");
        }
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
