namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The external-data choice of the export running on this call path. An export to a file or a directory enters it once at
/// its public entry point (<see cref="Enter"/>); the graph builders and <see cref="OnnxModelFile"/> read it deep inside,
/// so the dozen private writers of a serving directory need not pass it along. It flows with the logical call
/// (<see cref="AsyncLocal{T}"/>), so concurrent exports never see each other's.
/// </summary>
internal static class ExternalDataPolicy
{
    private static readonly AsyncLocal<OnnxExternalData?> Mode = new();
    private static readonly AsyncLocal<long?> LoweredLimit = new();
    private static readonly AsyncLocal<int?> LoweredMinTable = new();
    private static readonly AsyncLocal<bool> SeparateSideFiles = new();

    /// <summary>
    /// Starts an export that writes to a path with <paramref name="mode"/>. <see cref="OnnxExternalData.Always"/> holds for
    /// everything inside, so an outer export's choice is kept when it calls a public exporter with the default.
    /// </summary>
    public static Scope Enter(OnnxExternalData mode)
    {
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not an OnnxExternalData value.");
        var outer = Mode.Value;
        Mode.Value = outer == OnnxExternalData.Always ? OnnxExternalData.Always : mode;
        return new Scope(() => Mode.Value = outer);
    }

    /// <summary>True inside an export to a path: a model over <see cref="InlineLimit"/> can keep its tables in a side file.</summary>
    public static bool WritesToPath => Mode.Value != null;

    /// <summary>True when every model of the export keeps its large tables in its side file.</summary>
    public static bool ForcesExternal => Mode.Value == OnnxExternalData.Always;

    /// <summary>The largest model written whole: <see cref="OnnxServingDefaults.MaxInlineModelBytes"/>, unless a test lowered it.</summary>
    public static long InlineLimit => LoweredLimit.Value ?? OnnxServingDefaults.MaxInlineModelBytes;

    /// <summary>The smallest table moved into a side file: <see cref="OnnxServingDefaults.ExternalDataMinTableBytes"/>, unless a test lowered it.</summary>
    public static int MinTableBytes => LoweredMinTable.Value ?? OnnxServingDefaults.ExternalDataMinTableBytes;

    /// <summary>
    /// True when the graphs of a directory refer to the tables in the unimodal scorer's side file rather than storing them
    /// again in their own: a unimodal directory's vector scorer to the item table, a quota directory's encoder to the user
    /// table and its quota scorers to the item table (docs/onnx.md, "Size limit: 2 GB and external data"); false only inside
    /// <see cref="SeparateSideFilesForTests"/>.
    /// </summary>
    public static bool SharesTables => !SeparateSideFiles.Value;

    /// <summary>
    /// Writes each graph's tables in its own side file on this call path until disposed, as exports before version 1.13.0 (a
    /// unimodal directory) and 1.14.0 (a quota directory) did, so that tests serve the directories those exports left (a
    /// vector scorer with <c>vector_scorer.onnx.data</c>, a quota scorer with its own item table).
    /// </summary>
    internal static Scope SeparateSideFilesForTests()
    {
        bool outer = SeparateSideFiles.Value;
        SeparateSideFiles.Value = true;
        return new Scope(() => SeparateSideFiles.Value = outer);
    }

    /// <summary>Lowers <see cref="MinTableBytes"/> on this call path until disposed, so that the small tables of test models go out too.</summary>
    internal static Scope LowerMinTableForTests(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var outer = LoweredMinTable.Value;
        LoweredMinTable.Value = bytes;
        return new Scope(() => LoweredMinTable.Value = outer);
    }

    /// <summary>
    /// Lowers <see cref="InlineLimit"/> to <paramref name="bytes"/> on this call path until disposed, so that tests reach the
    /// over-the-limit paths with small models (a real 2 GB export takes minutes).
    /// </summary>
    internal static Scope LowerLimitForTests(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        var outer = LoweredLimit.Value;
        LoweredLimit.Value = bytes;
        return new Scope(() => LoweredLimit.Value = outer);
    }

    /// <summary>Restores the outer choice when disposed.</summary>
    internal readonly struct Scope(Action restore) : IDisposable
    {
        public void Dispose() => restore?.Invoke();
    }
}
