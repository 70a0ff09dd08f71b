namespace MultiInterest.PipelineSample;

/// <summary>Finds data/cit-HepPh above the working directory (or takes the folder given as the first argument).</summary>
internal static class DataFolder
{
    public static string Find(string[] args)
    {
        if (args.Length > 0) return args[0];
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data", "cit-HepPh");
                if (File.Exists(Path.Combine(candidate, "train.tsv.gz"))) return candidate;
            }
        }
        throw new DirectoryNotFoundException("Could not find data/cit-HepPh/train.tsv.gz above the working directory; pass the folder as the first argument.");
    }
}
