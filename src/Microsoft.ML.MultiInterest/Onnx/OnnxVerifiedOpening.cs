using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// What one opening of a serving directory verified, so that the scorer serves those bytes and no others. An opening checks
/// the manifest (its signature, when the factory trusts a key, and its seal) and the SHA-256 of every file it records, then
/// the scorer reads them: someone who can write the directory could swap a file in between, or swap the manifest and put it
/// back with its old write time, which the opening's before-and-after look cannot tell. Here each directory's manifest is
/// read once, its signature verified and its parse made from those bytes; each recorded file a scorer reads is hashed as it
/// is read into memory, and every later read of it during the opening (a graph's session, its tables, the user id file, a
/// part's manifest) is served from those bytes.
/// </summary>
/// <remarks>
/// <para>
/// Flow-local: <see cref="OnnxDirectoryOpening.Consistent"/> begins one for the outermost directory opened, the parts its
/// scorer opens join it, and its bytes are dropped when that opening ends. The scorers read their files only while they open.
/// An opening that ended is joined by none (a flow captured while it ran still names it), nor is one by an opening through
/// a factory trusting another key (or none), or on another thread: those begin their own.
/// </para>
/// <para>
/// Side files (<c>&lt;graph&gt;.onnx.data</c>, ONNX external data) are too large to keep as bytes: every table read from one,
/// by the library or for a session (<see cref="OnnxGivenTables"/>), comes from a pass that hashes the whole file
/// (<see cref="SideTables"/>), read once and held once for both; no session reads or maps a side file itself. That pass is
/// the side file's one hash in the opening: the checksum pass before it leaves side files to it (<see cref="Defer"/>), and
/// hashes before the opening ends those no pass read (<see cref="Scope.VerifyDeferredSideFiles"/>). Not covered:
/// the three tables no scorer reads (<c>item_ids.tsv</c>, <c>training_history.tsv</c>, <c>popular_items.tsv</c>), hashed and
/// left on disk for the clients that read them.
/// </para>
/// </remarks>
internal sealed class OnnxVerifiedOpening
{
    private static readonly AsyncLocal<OnnxVerifiedOpening?> s_current = new();

    private readonly OnnxSessionFactory? _sessions;

    /// <summary>The thread the opening runs on: an opening, its parts' included, runs on one.</summary>
    private readonly int _thread = Environment.CurrentManagedThreadId;

    /// <summary>Whether the opening ended (<see cref="Scope.Dispose"/>): a flow captured while it ran still holds it.</summary>
    private bool _ended;

    /// <summary>The directories verified, by full path: their manifest's bytes and the manifest parsed from them.</summary>
    private readonly Dictionary<string, (byte[] Bytes, OnnxServingManifest Manifest)> _directories = new(StringComparer.Ordinal);

    /// <summary>The files their manifests record, by full path.</summary>
    private readonly Dictionary<string, RecordedFile> _files = new(StringComparer.Ordinal);

    /// <summary>
    /// The side-file tables read so far, by side file (full path), place and element type: a table the scorer reads and a
    /// session is given (or two sessions are) is read once and held once.
    /// </summary>
    private readonly Dictionary<(string Side, long Offset, long Length, Type Element), Array> _sideTables = [];

    /// <summary>The prepacked container the sessions given tables share (<see cref="OnnxGivenTables"/>), made on first use.</summary>
    private OnnxPrePackedShare? _prepacked;

    /// <summary>
    /// A file a verified manifest records: its path and directory as the caller named them (for messages), its SHA-256, and
    /// its bytes once read; for a side file, whether the opening owes it a hash (<see cref="Defer"/>) and whether one matched.
    /// </summary>
    private sealed class RecordedFile(string path, string directory, string sha256)
    {
        public string Path { get; } = path;

        public string Directory { get; } = directory;

        public string Sha256 { get; } = sha256;

        public byte[]? Bytes { get; set; }

        /// <summary>Left by the checksum pass to the opening: hashed by the pass that reads its tables, else before the opening ends.</summary>
        public bool Deferred { get; set; }

        /// <summary>Whether a pass of this opening hashed the whole file and found the recorded SHA-256.</summary>
        public bool Hashed { get; set; }
    }

    private OnnxVerifiedOpening(OnnxSessionFactory? sessions) => _sessions = sessions;

    /// <summary>
    /// The opening under way on this flow, or null. An opening that ended is none: work that user code queued while it ran (a
    /// factory's log callback) carries the flow as it was then, that opening included.
    /// </summary>
    public static OnnxVerifiedOpening? Current => s_current.Value is { _ended: false } opening ? opening : null;

    /// <summary>
    /// Begins an opening on this flow, or joins the one under way (a part opened by its enclosing directory's scorer, through
    /// a factory trusting the same key, on the same thread): the scope returned ends it, and drops its bytes, only if it began it.
    /// </summary>
    public static Scope Enter(OnnxSessionFactory? sessions)
    {
        var outer = Current;
        // Any other opening begins its own, and the outer one is back when it ends: one that user code starts during an
        // opening (from a factory's log callback) with a factory trusting another key, or none, must be verified with that
        // key, not joined into the outer's; one on another thread would share these dictionaries while the outer's end clears them.
        if (outer != null && ReferenceEquals(outer._sessions?.TrustedSigningKey, sessions?.TrustedSigningKey)
            && outer._thread == Environment.CurrentManagedThreadId) return default;
        var opening = new OnnxVerifiedOpening(sessions);
        s_current.Value = opening;
        return new Scope(opening, outer);
    }

    /// <summary>Ends the opening it began, if any, and makes current again the opening it began within.</summary>
    public readonly struct Scope(OnnxVerifiedOpening? began, OnnxVerifiedOpening? outer) : IDisposable
    {
        /// <summary>
        /// Hashes, in the opening it began, each side file the checksum pass left to it (<see cref="Defer"/>) that no pass
        /// reading its tables hashed: called when the scorer is open, and when its opening failed, so that a damaged side file
        /// is refused by name whatever read tripped over it first. Nothing in an opening it joined: the outermost one does it.
        /// </summary>
        /// <exception cref="InvalidDataException">Such a side file is missing or does not match its recorded SHA-256.</exception>
        public void VerifyDeferredSideFiles() => began?.VerifyDeferred();

        /// <inheritdoc/>
        public void Dispose()
        {
            if (began == null) return;
            // Ended and emptied: a flow captured during the opening neither joins it later (and is served its bytes, not the
            // directory as it is then) nor keeps its bytes alive.
            began._ended = true;
            began._directories.Clear();
            began._files.Clear();
            // The sessions hold the arrays they were given, and their share of the container, for as long as they live.
            began._sideTables.Clear();
            began._prepacked?.Dispose();
            began._prepacked = null;
            if (s_current.Value == began) s_current.Value = outer;
        }
    }

    /// <summary>
    /// The bytes of <paramref name="directory"/>'s manifest, read once: the bytes of a part's manifest that its enclosing
    /// directory records come hashed against that record.
    /// </summary>
    public byte[] ReadManifest(string directory)
    {
        string path = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
        return _files.TryGetValue(Full(path), out var recorded) ? Read(path, recorded) : File.ReadAllBytes(path);
    }

    /// <summary>
    /// Keeps <paramref name="directory"/> as verified: <paramref name="manifest"/> parsed from <paramref name="bytes"/>, and
    /// the files it records, which are read, hashed and kept as they are asked for.
    /// </summary>
    public void Add(string directory, byte[] bytes, OnnxServingManifest manifest)
    {
        string full = Full(directory);
        _directories[full] = (bytes, manifest);
        foreach (var (name, sha256) in manifest.FileSha256 ?? new Dictionary<string, string>())
        {
            // A name outside the directory is refused by the verification, before any is read.
            if (!string.IsNullOrEmpty(name)) _files.TryAdd(Full(Path.Combine(full, name)), new RecordedFile(Path.Combine(directory, name), directory, sha256));
        }
    }

    /// <summary>The manifest bytes of <paramref name="directory"/> this opening verified, or null when it did not open it.</summary>
    public byte[]? VerifiedManifest(string directory) => _directories.TryGetValue(Full(directory), out var verified) ? verified.Bytes : null;

    /// <summary>
    /// Leaves the hash of the recorded side file <paramref name="path"/> to the opening (<see cref="OnnxServedFiles.Verify"/>):
    /// the pass that reads its tables hashes it (<see cref="SideTables"/>), and one that no pass read is hashed before the
    /// opening ends (<see cref="Scope.VerifyDeferredSideFiles"/>), so that each is hashed once, not before and again as read.
    /// </summary>
    public void Defer(string path) => _files[Full(path)].Deferred = true;

    private void VerifyDeferred()
    {
        foreach (var recorded in _files.Values)
        {
            if (!recorded.Deferred || recorded.Hashed) continue;
            string found = OnnxServedFiles.Recorded(recorded.Path, recorded.Directory, OnnxServedFiles.Sha256);
            if (!string.Equals(found, recorded.Sha256, StringComparison.Ordinal)) throw OnnxServedFiles.Mismatch(recorded.Path, recorded.Directory, recorded.Sha256, found);
            recorded.Hashed = true;
        }
    }

    /// <summary>
    /// The bytes of the recorded file <paramref name="path"/>, hashed as read and kept for the opening's later reads.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is missing or does not match its recorded SHA-256.</exception>
    public byte[] ReadRecorded(string path) => Read(path, _files[Full(path)]);

    private static byte[] Read(string path, RecordedFile recorded)
    {
        if (recorded.Bytes is { } kept) return kept;
        byte[] bytes = OnnxServedFiles.Recorded(path, recorded.Directory, File.ReadAllBytes);
        string found = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(found, recorded.Sha256, StringComparison.Ordinal)) throw OnnxServedFiles.Mismatch(path, recorded.Directory, recorded.Sha256, found);
        recorded.Bytes = bytes;
        return bytes;
    }

    /// <summary>
    /// The values of <paramref name="tables"/>, kept in the recorded side file <paramref name="sidePath"/>, each an array of its
    /// element type: those this opening read already, the same arrays; the others read in one pass that hashes the whole file
    /// (<see cref="OnnxSideFilePass"/>). A side file may pass 2 GB, so its bytes are not kept, and its tables are served only
    /// if the bytes they came from are the ones recorded.
    /// </summary>
    /// <exception cref="InvalidDataException">The side file is missing, cut short, or does not match its recorded SHA-256.</exception>
    public Array[] SideTables(string sidePath, IReadOnlyList<(OnnxExternalTable Table, Type Element)> tables)
    {
        string side = Full(sidePath);
        var arrays = new Array[tables.Count];
        var read = new List<(OnnxExternalTable Table, Array Values)>();
        var keys = new List<(string, long, long, Type)>();
        for (int i = 0; i < tables.Count; i++)
        {
            var (table, element) = tables[i];
            var key = (side, table.Offset, table.Length, element);
            int asked = keys.IndexOf(key); // a table asked for twice in one request
            if (_sideTables.TryGetValue(key, out var kept) || asked >= 0)
            {
                arrays[i] = kept ?? read[asked].Values;
                continue;
            }
            arrays[i] = OnnxElementTypes.New(element, table.Length / OnnxElementTypes.Size(element));
            read.Add((table, arrays[i]));
            keys.Add(key);
        }
        if (read.Count == 0) return arrays;
        var recorded = _files[side];
        string found = OnnxServedFiles.Recorded(sidePath, recorded.Directory, path => OnnxSideFilePass.Read(path, read));
        if (!string.Equals(found, recorded.Sha256, StringComparison.Ordinal)) throw OnnxServedFiles.Mismatch(sidePath, recorded.Directory, recorded.Sha256, found);
        recorded.Hashed = true;
        for (int i = 0; i < read.Count; i++) _sideTables[keys[i]] = read[i].Values;
        return arrays;
    }

    /// <summary>
    /// Reads now, in one verified pass over each side file of the graph <paramref name="path"/>, every table the graph keeps
    /// there that this library reads, for a scorer that reads some of them itself before the graph's session is given the
    /// rest: the session is then given the same arrays, and the side file is read and hashed once, not once per reader.
    /// Nothing outside an opening, or for a graph no verified manifest records.
    /// </summary>
    /// <exception cref="InvalidDataException">A side file is missing, cut short, or does not match its recorded SHA-256.</exception>
    public static void ReadAhead(string path)
    {
        if (Current is not { } opening || !opening.Records(path)) return;
        var external = OnnxInitializerFile.ExternalTables(opening.ReadRecorded(path), path);
        foreach (var side in external.GroupBy(t => t.Table.SidePath))
        {
            if (!opening.Records(side.Key)) continue;
            // A table of a type no reader takes is refused by name when its session is given its tables.
            var tables = side.Where(t => OnnxElementTypes.ClrType(t.DataType) != null).Select(t => (t.Table, OnnxElementTypes.ClrType(t.DataType)!)).ToList();
            opening.SideTables(side.Key, tables);
        }
    }

    /// <summary>Whether a verified manifest of this opening records <paramref name="path"/>.</summary>
    public bool Records(string path) => _files.ContainsKey(Full(path));

    /// <summary>
    /// Vouches for <paramref name="directory"/>, which encloses a part opened on its own and whose manifest
    /// <paramref name="manifest"/> the part reads (parsed from <paramref name="bytes"/>, read once): a factory that trusts a key
    /// verifies its signature over those bytes as it verifies every directory it opens; then its recorded files read later
    /// (its user id file) are hashed against its record. A directory this opening verified already is not verified again.
    /// </summary>
    /// <exception cref="InvalidDataException">The factory trusts a key and the directory is unsigned, not as signed, or of a format before checksums.</exception>
    public void Vouch(string directory, byte[] bytes, OnnxServingManifest manifest)
    {
        if (_directories.ContainsKey(Full(directory))) return;
        if (_sessions?.TrustedSigningKey is { } trusted)
        {
            OnnxDirectorySignature.Verify(directory, trusted, () => bytes);
            if (manifest.FormatVersion < OnnxServingManifest.ChecksumFormatVersion) throw OnnxServedFiles.SignedWithoutChecksums(directory, manifest.FormatVersion);
        }
        Add(directory, bytes, manifest);
    }

    /// <summary>
    /// Refuses the part <paramref name="part"/>, opened or vouched for by this opening before the enclosing directory it was
    /// named by (<paramref name="recordedAs"/>, the same directory, or the target of a link to it), unless its manifest is the
    /// one that directory records: it reads that directory's manifest and user id file, which belong to the part recorded
    /// there, as opening the enclosing directory whole requires.
    /// </summary>
    /// <exception cref="InvalidDataException">The part's manifest does not match the SHA-256 the enclosing manifest records for it.</exception>
    public void RefuseUnrecordedPart(string part, string recordedAs)
    {
        string path = Path.Combine(recordedAs, OnnxServingDirectory.ManifestFileName);
        if (VerifiedManifest(part) is not { } bytes || !_files.TryGetValue(Full(path), out var recorded)) return;
        string found = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(found, recorded.Sha256, StringComparison.Ordinal)) throw OnnxServedFiles.Mismatch(path, recorded.Directory, recorded.Sha256, found);
    }

    /// <summary>The manifest of <paramref name="directory"/> this opening verified, or null.</summary>
    public OnnxServingManifest? Verified(string directory) => _directories.TryGetValue(Full(directory), out var verified) ? verified.Manifest : null;

    /// <summary>
    /// The manifest of <paramref name="directory"/>: the one the opening under way verified; else, for a part whose manifest a
    /// verified one records (a fusion's source, read to choose its scorer before it is opened), parsed from the bytes hashed
    /// against that record; else read from the directory.
    /// </summary>
    public static OnnxServingManifest Manifest(string directory)
    {
        if (Current is { } opening)
        {
            if (opening.Verified(directory) is { } verified) return verified;
            string path = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
            if (opening.Records(path)) return OnnxServingManifest.Read(directory, () => opening.ReadRecorded(path));
        }
        return OnnxServingManifest.Read(directory);
    }

    /// <summary>
    /// Whether the file <paramref name="path"/> is there to read: always, for a file a manifest verified by the opening under
    /// way records (its read serves the verified bytes, or refuses the file by name as missing); else whether it is on disk.
    /// A scorer's look before reading a recorded file thus never turns its removal mid-opening into a bare
    /// <see cref="FileNotFoundException"/>, nor refuses bytes it already holds.
    /// </summary>
    public static bool Exists(string path) => Current is { } opening && opening.Records(path) || File.Exists(path);

    /// <summary>The bytes of the file <paramref name="path"/>: those the opening under way verified when a manifest it verified records the file, else the file's.</summary>
    public static byte[] ReadAllBytes(string path) =>
        Current is { } opening && opening.Records(path) ? opening.ReadRecorded(path) : File.ReadAllBytes(path);

    /// <summary>A stream over the file <paramref name="path"/>, or over the bytes the opening under way verified for it (<see cref="ReadAllBytes"/>).</summary>
    public static Stream OpenRead(string path) =>
        Current is { } opening && opening.Records(path)
            ? new MemoryStream(opening.ReadRecorded(path), writable: false)
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);

    /// <summary>
    /// A session over the graph <paramref name="path"/>, created from the bytes the opening verified (<see cref="ReadAllBytes"/>):
    /// its side file, if any, is checked against the references first, and every table the graph keeps there is given to the
    /// session from the opening's verified pass (<see cref="OnnxGivenTables"/>), so ONNX Runtime reads no side file itself.
    /// The bytes are the opening's, dropped when it ends: the scorers read a graph's tables after its session, and dropping
    /// them here to read and hash the graph again for its tables peaked higher (docs/onnx.md, "Signatures").
    /// </summary>
    /// <exception cref="InvalidDataException">A side file of the model is missing, too short or not the one recorded, or a reference into it is out of range.</exception>
    public static InferenceSession CreateSession(OnnxSessionFactory sessions, string path) => CreateSession(sessions, path, shared: null, graphFile: null);

    /// <summary>
    /// As <see cref="CreateSession(OnnxSessionFactory, string)"/>, the tables of <paramref name="shared"/> that the graph
    /// <paramref name="graphFile"/> (as the manifest names it) holds given from there (the scorer's own arrays, its prepacking rule).
    /// </summary>
    public static InferenceSession CreateSession(OnnxSessionFactory sessions, string path, OnnxSharedTables? shared, string? graphFile)
    {
        if (!Exists(path)) throw new FileNotFoundException($"No ONNX model at '{path}'.", path);
        return CreateSession(sessions, ReadAllBytes(path), path, shared, graphFile);
    }

    /// <summary>
    /// As <see cref="CreateSession(OnnxSessionFactory, string, OnnxSharedTables?, string?)"/>, over <paramref name="model"/>:
    /// the verified bytes of the graph <paramref name="path"/>, or a cut of them (<see cref="OnnxGraphPruning"/>) that keeps
    /// its references to the graph's side file.
    /// </summary>
    public static InferenceSession CreateSession(OnnxSessionFactory sessions, byte[] model, string path, OnnxSharedTables? shared, string? graphFile)
    {
        OnnxInitializerFile.CheckExternalData(path);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (graphFile == null || shared?.Serves(graphFile) != true) shared = null;
        // Outside an opening nothing verified the side file: ONNX Runtime reads it, as a session over a file does.
        var given = Current is { } opening ? OnnxGivenTables.Read(opening, model, path, shared?.Names(graphFile!) ?? []) : null;
        InferenceSession session;
        try
        {
            BeforeSession.Value?.Invoke(path);
            if (given != null) session = CreateGiven(sessions, model, folder, given, shared, graphFile);
            else if (shared != null) session = sessions.CreateSession(model, folder, options => shared.AddTo(options, graphFile!), shared.PrePacked);
            else session = sessions.CreateSession(model, folder);
        }
        catch
        {
            given?.Dispose();
            throw;
        }
        AfterSession.Value?.Invoke(path);
        return session;
    }

    /// <summary>
    /// A session given <paramref name="given"/>, and the tables of <paramref name="shared"/> when given, which then decides
    /// prepacking. Else, as <see cref="OnnxSharedTables"/> rules: below <see cref="OnnxSessionFactory.PrepackTablesBelowBytes"/>
    /// (the largest table given) the session packs into the opening's shared container, from it on it does not pack.
    /// </summary>
    private static InferenceSession CreateGiven(OnnxSessionFactory sessions, byte[] model, string folder, OnnxGivenTables given, OnnxSharedTables? shared, string? graphFile)
    {
        var container = shared?.PrePacked;
        bool prepack = shared != null ? container != null : given.LargestBytes < sessions.PrepackTablesBelowBytes;
        if (shared == null && prepack && Current is { } opening)
        {
            opening._prepacked ??= new OnnxPrePackedShare();
            given.Hold(opening._prepacked.Lease());
            container = opening._prepacked.Container;
        }
        return sessions.CreateSession(model, folder, options =>
        {
            // The shared tables' own entries say whether to pack.
            if (shared != null) shared.AddTo(options, graphFile!);
            else if (!prepack) options.AddSessionConfigEntry(OnnxSharedTables.DisablePrepackingKey, "1");
            given.AddTo(options);
        }, container, given);
    }

    /// <summary>
    /// Test seams, run with a graph's path just before ONNX Runtime creates its session and just after: a test swaps the graph's
    /// side file in between, where only a read by path would see the swap.
    /// </summary>
    internal static readonly AsyncLocal<Action<string>?> BeforeSession = new(), AfterSession = new();

    private static string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
}
