using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The validation hold-out of a sweep (<see cref="MultiInterestSweepResult.ValidationSplit"/>) by raw ids: the rows of the
/// sweep's training edges, in their order, as the trials' training edges (<see cref="Train"/>) and the edges they were
/// scored on (<see cref="Validation"/>). Every row is in exactly one of the two, so a trial's figures can be derived again
/// from them: fit its settings on <see cref="Train"/> and score its lists on <see cref="Validation"/> with
/// <see cref="MultiInterestCatalog.Evaluate"/>, the ids keyed in the order they first appear in the sweep's training
/// edges (a <c>MapValueToKey</c> fitted on them), which is the order the sweep numbered them in (docs/sweeps.md, "Auditing
/// the validation hold-out").
/// </summary>
public sealed class SweepValidationSplit
{
    internal SweepValidationSplit(IReadOnlyList<RawEdge> train, IReadOnlyList<RawEdge> validation)
    {
        Train = train;
        Validation = validation;
    }

    /// <summary>
    /// The rows the trials fitted on, in the training edges' order, with their weights (1 when the sweep read none). A
    /// repeated (user, item) pair stays as its rows: all of them here, or all in <see cref="Validation"/>.
    /// </summary>
    public IReadOnlyList<RawEdge> Train { get; }

    /// <summary>The rows of the validation hold-out the trials were scored on, in the training edges' order.</summary>
    public IReadOnlyList<RawEdge> Validation { get; }

    /// <summary>
    /// Writes <see cref="Train"/> to <paramref name="trainPath"/> and <see cref="Validation"/> to <paramref name="validationPath"/>
    /// as edge files (<see cref="EdgeFile.Write"/>: a header <c>user&lt;TAB&gt;item</c>, plus <c>weight</c> when a weight differs
    /// from 1; gzip when a name ends in .gz), which the command line's <c>--train</c> and <c>--test</c> read.
    /// </summary>
    /// <param name="trainPath">Where the trials' training edges go.</param>
    /// <param name="validationPath">Where the validation edges go.</param>
    /// <exception cref="ArgumentException">The two paths name the same file; a path ends in .csv (the files are tab-separated, and
    /// <c>LoadEdges</c> reads a .csv name comma-separated); or an id holds a TAB or a line break, which an edge file cannot hold.</exception>
    public void Save(string trainPath, string validationPath)
    {
        ArgumentNullException.ThrowIfNull(trainPath);
        ArgumentNullException.ThrowIfNull(validationPath);
        foreach (var (path, name) in new[] { (trainPath, nameof(trainPath)), (validationPath, nameof(validationPath)) })
            if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"{name} '{path}' ends in .csv, but the files are written tab-separated (user<TAB>item), and LoadEdges reads a .csv "
                    + "name comma-separated: give a .tsv (or .tsv.gz) name.", name);
        if (string.Equals(Path.GetFullPath(trainPath), Path.GetFullPath(validationPath), StringComparison.Ordinal))
            throw new ArgumentException($"trainPath and validationPath name the same file, '{validationPath}': the validation edges would overwrite the training edges. "
                + "Give validationPath another path.", nameof(validationPath));
        EdgeFile.Write(trainPath, Train);
        EdgeFile.Write(validationPath, Validation);
    }

    /// <summary>
    /// The rows of <paramref name="edges"/> (read into <paramref name="users"/> and <paramref name="items"/>) parted as
    /// <paramref name="outcome"/>'s validation hold-out parts their pairs.
    /// </summary>
    internal static SweepValidationSplit Of(IReadOnlyList<RawEdge> edges, IdMap users, IdMap items, SweepOutcome outcome)
    {
        var validation = outcome.Validation ?? throw new InvalidOperationException("The sweep's outcome holds no validation hold-out.");
        var train = new List<RawEdge>(edges.Count);
        var heldOut = new List<RawEdge>(validation.EdgeCount);
        foreach (var edge in edges)
        {
            bool held = users.TryGetIndex(edge.User, out int u) && items.TryGetIndex(edge.Item, out int i) && validation.Contains(u, i);
            (held ? heldOut : train).Add(edge);
        }
        return new SweepValidationSplit(train, heldOut);
    }
}
