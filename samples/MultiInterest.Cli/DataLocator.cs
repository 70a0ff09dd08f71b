namespace MultiInterest.Cli;

/// <summary>Finds the repository's embedded copy of the cit-HepPh split.</summary>
internal static class DataLocator
{
    public static string FindCitHepPh()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data", "cit-HepPh");
                if (File.Exists(Path.Combine(candidate, "train.tsv.gz"))) return candidate;
            }
        }
        throw new DirectoryNotFoundException("Could not find data/cit-HepPh/train.tsv.gz above the working directory; pass --data DIR.");
    }
}
