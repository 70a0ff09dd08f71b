using System.Globalization;
using Microsoft.ML.MultiInterest.RoundTrip;

namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>Compares dumped columns: same names, types and KeyValues; keys exact; floats within a tolerance.</summary>
internal static class DumpAssert
{
    public static void Same(List<ColumnDump.Column> expected, List<ColumnDump.Column> actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Select(c => c.Name), actual.Select(c => c.Name));
        for (int c = 0; c < expected.Count; c++)
        {
            var e = expected[c];
            var a = actual[c];
            Assert.True(e.Type == a.Type, $"Column {e.Name}: type {e.Type} in memory, {a.Type} after loading.");
            Assert.True(e.KeyValues == a.KeyValues, $"Column {e.Name}: KeyValues differ after loading.");
            Assert.Equal(e.Rows.Count, a.Rows.Count);
            bool numeric = e.Type.Contains("Single") || e.Type.Contains("Double");
            for (int r = 0; r < e.Rows.Count; r++)
            {
                if (!numeric)
                {
                    Assert.True(e.Rows[r] == a.Rows[r], $"Column {e.Name}, row {r}: '{e.Rows[r]}' in memory, '{a.Rows[r]}' after loading.");
                    continue;
                }
                var ev = Numbers(e.Rows[r]);
                var av = Numbers(a.Rows[r]);
                Assert.Equal(ev.Length, av.Length);
                for (int i = 0; i < ev.Length; i++)
                {
                    bool same = double.IsNaN(ev[i]) ? double.IsNaN(av[i]) : Math.Abs(ev[i] - av[i]) <= tolerance;
                    Assert.True(same, $"Column {e.Name}, row {r}, slot {i}: {ev[i]} in memory, {av[i]} after loading.");
                }
            }
        }
    }

    private static double[] Numbers(string row) =>
        row.Length == 0 ? [] : row.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}
