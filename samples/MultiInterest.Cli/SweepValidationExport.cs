using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Cli;

/// <summary>
/// <c>sweep --export-validation DIR</c>: the validation hold-out the trials were scored on, written as two edge files in the
/// training file's format and ids, so that its figures can be derived again (docs/sweeps.md, "Auditing the validation hold-out").
/// </summary>
internal static class SweepValidationExport
{
    /// <summary>The option's name.</summary>
    public const string Option = "--export-validation";

    /// <summary>The training file's lines the trials fitted on, in DIR.</summary>
    public const string TrainFile = "inner-train.tsv";

    /// <summary>The training file's lines the trials were scored on, in DIR.</summary>
    public const string ValidationFile = "validation.tsv";

    /// <summary>The two files' paths in <paramref name="directory"/>: the trials' training edges, then the validation edges.</summary>
    public static (string Train, string Validation) PathsIn(string directory) =>
        (Path.Combine(directory, TrainFile), Path.Combine(directory, ValidationFile));

    /// <summary>
    /// The two files' writers: the lines of the training file (<paramref name="edges"/>, in their order and with their
    /// weights, as read) parted by <paramref name="split"/>'s validation pairs, each line in one file.
    /// </summary>
    public static (string Path, Action<string> Write)[] Files(string directory, IReadOnlyList<RawEdge> edges, SweepValidationSplit split)
    {
        // By pair: the rows the sweep read are these lines (with the file's weights only under --weights), and a repeated pair's
        // lines are all on one side.
        var held = new HashSet<(string, string)>(split.Validation.Select(e => (e.User, e.Item)));
        var train = edges.Where(e => !held.Contains((e.User, e.Item))).ToList();
        var validation = edges.Where(e => held.Contains((e.User, e.Item))).ToList();
        var (trainPath, validationPath) = PathsIn(directory);
        return [(trainPath, path => EdgeFile.Write(path, train)), (validationPath, path => EdgeFile.Write(path, validation))];
    }
}
