namespace MultiInterest.Cli;

/// <summary>
/// Outputs of an earlier run left in an output folder that this run did not write (its plots, exports, component files):
/// beside the new metrics.json they would read as this run's, so they are named. Nothing is deleted: the folder may hold
/// what the user keeps on purpose.
/// </summary>
internal static class StaleOutputs
{
    /// <summary>Writes one warning naming the output-like files of <paramref name="directory"/> that are not in <paramref name="written"/>.</summary>
    /// <param name="directory">The output folder.</param>
    /// <param name="written">The files this run wrote there.</param>
    /// <param name="warnings">Where the warning goes.</param>
    /// <param name="summary">The run's summary file the stale ones could be taken with ("metrics.json", "sweep.json").</param>
    public static void Warn(string directory, IReadOnlyCollection<string> written, TextWriter warnings, string summary = "metrics.json")
    {
        var ours = new HashSet<string>(written.Select(Path.GetFullPath), StringComparer.Ordinal);
        var stale = Directory.EnumerateFiles(directory)
            .Where(f => !ours.Contains(Path.GetFullPath(f)) && IsOutputName(Path.GetFileName(f)))
            .Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (stale.Count == 0) return;
        string listed = string.Join(", ", stale.Take(8)) + (stale.Count > 8 ? $" and {stale.Count - 8} more" : "");
        warnings.WriteLine($"  warning: {directory} also holds {stale.Count} output file(s) this run did not write, an earlier run's: {listed}. "
            + $"They do not belong to this {summary}: remove them, or give each run its own --out.");
    }

    private static bool IsOutputName(string name) =>
        name.EndsWith(".png", StringComparison.Ordinal) || ArtifactExporter.FileNames.Contains(name)
        || name.EndsWith("_user_components.tsv", StringComparison.Ordinal) || name.EndsWith("_item_components.tsv", StringComparison.Ordinal);
}
