using System.Globalization;

namespace MultiInterest.Cli.Common;

/// <summary>Counts in log lines: "1 user", "2,048 users".</summary>
internal static class Counted
{
    /// <summary><paramref name="count"/> with thousands separators, then <paramref name="noun"/>, plural (noun + "s") unless the count is 1.</summary>
    public static string Of(long count, string noun) => count.ToString("N0", CultureInfo.InvariantCulture) + " " + (count == 1 ? noun : noun + "s");
}
