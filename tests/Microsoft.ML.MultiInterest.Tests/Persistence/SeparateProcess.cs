using System.Diagnostics;
using Microsoft.ML.MultiInterest.RoundTrip;

namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>Runs the RoundTrip program in its own process: load model zips, transform edges, dump columns.</summary>
internal static class SeparateProcess
{
    /// <summary>Runs the program with <paramref name="arguments"/>: its exit code and standard error.</summary>
    public static (int ExitCode, string Error) Run(params string[] arguments)
    {
        string program = Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.MultiInterest.RoundTrip.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in arguments.Prepend(program)) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(); // both pipes drained, so neither fills and blocks the child
        string stderr = process.StandardError.ReadToEnd();
        stdout.Wait();
        process.WaitForExit();
        return (process.ExitCode, stderr);
    }

    public static List<ColumnDump.Column> Transform(string directory, IEnumerable<(string User, string Item)> edges, string[] columns, params string[] models)
    {
        string input = Path.Combine(directory, "edges.tsv"), output = Path.Combine(directory, $"dump-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(input, edges.Select(e => $"{e.User}\t{e.Item}"));
        string program = Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.MultiInterest.RoundTrip.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { program, input, string.Join(",", columns), output }.Concat(models)) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"RoundTrip exited with {process.ExitCode}: {stderr}");
        using var reader = new StreamReader(output);
        return ColumnDump.Read(reader);
    }
}
