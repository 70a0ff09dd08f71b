namespace MultiInterest.Cli.Common;

/// <summary>Whether the process that left a file behind is still running, read from the id in the file's name.</summary>
internal static class RunningProcess
{
    /// <summary>True when a process with id <paramref name="pid"/> runs now (it may be another program that reuses the id).</summary>
    public static bool Exists(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
